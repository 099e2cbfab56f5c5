// The page: renders the flow (choose -> preview -> name -> create -> ID), the network panel, the
// library and the drift check. All heavy work goes through the engine (a Worker).
import { CharacterEngine, EngineError } from './engine';
import type { RequestRecord } from './registry';
import { queue, type Queued } from './queue';
import {
  STAGES,
  type Stage,
  clampWindowStart,
  driftVerdict,
  errorText,
  formatBytes,
  hasSimd,
  makeCard,
  parseCard,
  promptSnippet,
  qualityReport,
  validateName,
} from './logic';

const WINDOW = 4;
const MAX_URL_BYTES = 2 * 1024 * 1024 * 1024;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, any> = {}, ...children: (Node | string | null)[]) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'testid') el.dataset.testid = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null) el.append(c);
  return el;
}

type Local = { payload: any; thumbnails: string[]; name: string; model: string };
const LOCAL_KEY = 'charid.cards';
function localCards(): Record<string, Local> {
  try {
    return JSON.parse(localStorage.getItem(LOCAL_KEY) ?? '{}');
  } catch {
    return {};
  }
}
function saveLocal(id: string, v: Local) {
  const all = localCards();
  all[id] = v;
  localStorage.setItem(LOCAL_KEY, JSON.stringify(all));
}
function dropLocal(id: string) {
  const all = localCards();
  delete all[id];
  localStorage.setItem(LOCAL_KEY, JSON.stringify(all));
}

export function mountApp(root: HTMLElement, engine: CharacterEngine, onCreated?: (c: any) => void) {
  root.classList.add('charid-app');
  const state = {
    file: null as Blob | null,
    fileName: '',
    source: null as any,
    start: 0,
    sampled: null as any,
    box: null as [number, number, number, number] | null,
    busy: false,
    objectUrl: '',
  };

  // ---- elements
  const isolation = h('p', { class: 'status', testid: 'isolation' });
  const fileInput = h('input', { type: 'file', accept: 'video/*,.mp4,.webm,.mov,.mkv', testid: 'video-input', id: 'video-input' }) as HTMLInputElement;
  const drop = h('label', { class: 'drop', for: 'video-input' }, h('strong', { text: 'Choose a video' }), ' or drop it here', fileInput);
  const urlInput = h('input', { type: 'url', placeholder: 'https://example.com/clip.mp4', testid: 'url-input' }) as HTMLInputElement;
  const urlButton = h('button', { type: 'submit', testid: 'url-button', text: 'Fetch' });
  const urlForm = h('form', { class: 'url' }, urlInput, urlButton);
  const lowRes = h('input', { type: 'checkbox', testid: 'allow-low-res' }) as HTMLInputElement;
  const lowResLabel = h('label', { class: 'small' }, lowRes, ' Allow videos under 720p (identity is less reliable)');

  const video = h('video', { controls: true, muted: true, playsinline: true, class: 'preview' }) as HTMLVideoElement;
  const timeline = h('div', { class: 'timeline', testid: 'timeline' });
  const windowBar = h('div', { class: 'window' });
  timeline.append(windowBar);
  const startSlider = h('input', { type: 'range', min: '0', max: '0', step: '0.1', value: '0', testid: 'window-start', 'aria-label': 'Window start' }) as HTMLInputElement;
  const windowText = h('p', { class: 'small' });
  const report = h('ul', { class: 'report', testid: 'quality-report' });
  const frames = h('div', { class: 'frames', testid: 'frames' });
  const boxHint = h('p', { class: 'small', text: 'Drag a box on a frame to choose the subject yourself (optional).' });
  const preview = h('section', { class: 'card hidden', testid: 'preview' },
    h('h2', { text: '2. Check the clip' }), video, timeline, startSlider, windowText, report, boxHint, frames);

  const nameInput = h('input', { type: 'text', maxlength: '80', placeholder: 'Character name', testid: 'name-input' }) as HTMLInputElement;
  const createButton = h('button', { class: 'primary', testid: 'create-button', text: 'Create character ID', disabled: true }) as HTMLButtonElement;
  const cancelButton = h('button', { testid: 'cancel-button', text: 'Cancel' }) as HTMLButtonElement;
  const stageList = h('ol', { class: 'stages' });
  const stageItems = new Map<Stage, HTMLElement>();
  for (const s of STAGES) {
    const li = h('li', { 'data-stage': s.key, text: s.label });
    stageItems.set(s.key, li);
    stageList.append(li);
  }
  const progressBar = h('progress', { max: '1', value: '0' }) as HTMLProgressElement;
  const progress = h('div', { class: 'progress hidden', testid: 'progress', 'data-state': 'idle' }, stageList, progressBar, cancelButton);
  const errorBox = h('div', { class: 'error hidden', role: 'alert', testid: 'error-message' });
  const result = h('div', { class: 'result hidden', testid: 'character-id' });

  const queueList = h('ul', { class: 'library-list' });
  const queueNote = h('p', { class: 'small' });
  const offlineQueue = h('section', { class: 'card hidden', testid: 'offline-queue', 'data-count': '0' },
    h('h2', { text: 'Waiting to be registered' }), queueNote, queueList);

  const netBody = h('tbody');
  const netTotal = h('p', { class: 'small', testid: 'network-total' });
  const network = h('section', { class: 'card', testid: 'network-panel' },
    h('h2', { text: 'What left this device' }),
    h('p', { class: 'small', text: 'Every request this page made to the registry. The video itself is never uploaded: only the identity vector and the name.' }),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { text: 'Request' }), h('th', { text: 'Status' }), h('th', { text: 'Sent' }), h('th', { text: 'Received' }))), netBody),
    netTotal);

  const libList = h('ul', { class: 'library-list' });
  const importInput = h('input', { type: 'file', accept: 'application/json,.json', testid: 'card-import' }) as HTMLInputElement;
  const library = h('section', { class: 'card', testid: 'library', 'data-state': 'loading' },
    h('h2', { text: 'Your characters' }), libList,
    h('label', { class: 'small' }, 'Import a character card: ', importInput));

  const driftSelect = h('select', { testid: 'drift-character' }) as HTMLSelectElement;
  const driftInput = h('input', { type: 'file', accept: 'video/*', testid: 'drift-input' }) as HTMLInputElement;
  const driftPlot = h('canvas', { width: '640', height: '160', class: 'plot' }) as HTMLCanvasElement;
  const driftVerdictEl = h('p', { testid: 'drift-verdict' });
  const drift = h('section', { class: 'card', testid: 'drift' },
    h('h2', { text: 'Drift check' }),
    h('p', { class: 'small', text: 'Pick a character and drop another video (a generated clip, a new episode): each sampled frame is compared with the character.' }),
    h('div', { class: 'row' }, driftSelect, driftInput), driftPlot, driftVerdictEl);

  root.append(
    h('header', {}, h('h1', { text: 'Character ID' }), h('p', { class: 'lede', text: 'Turn a short video of a character into a reusable ID. The video stays on your device.' }), isolation),
    h('section', { class: 'card' }, h('h2', { text: '1. Choose a video' }), drop, h('p', { class: 'small', text: 'or paste a link to a video:' }), urlForm, lowResLabel),
    preview,
    h('section', { class: 'card' }, h('h2', { text: '3. Name it' }), h('div', { class: 'row' }, nameInput, createButton), progress, errorBox, result),
    offlineQueue,
    library,
    drift,
    network,
  );

  // ---- helpers
  function showError(e: any) {
    const code = e?.code ?? 'invalid_argument';
    errorBox.textContent = errorText({ code, message: e?.message });
    errorBox.dataset.code = code;
    errorBox.classList.remove('hidden');
  }
  function clearError() {
    errorBox.textContent = '';
    delete errorBox.dataset.code;
    errorBox.classList.add('hidden');
  }
  function updateCreate() {
    createButton.disabled = state.busy || !state.sampled || !!validateName(nameInput.value);
  }
  function setStage(stage: Stage | null, frac?: number) {
    let reached = false;
    for (const s of STAGES) {
      const li = stageItems.get(s.key)!;
      if (s.key === stage) {
        li.className = 'active';
        reached = true;
      } else li.className = reached || !stage ? '' : 'done';
    }
    if (stage) progress.dataset.stage = stage;
    if (frac !== undefined) progressBar.value = frac;
  }

  engine.addEventListener('progress', (ev: any) => {
    if (progress.dataset.state !== 'running') return;
    const p = ev.detail;
    const idx = STAGES.findIndex((s) => s.key === p.stage);
    const within = p.total ? p.done / p.total : 0;
    setStage(p.stage, (idx + within) / STAGES.length);
  });

  engine.registry.onRequest((r: RequestRecord) => {
    netBody.append(h('tr', { testid: 'network-row', 'data-sent': String(r.sent) },
      h('td', {}, h('code', { text: `${r.method} ${r.path.split('?')[0]}` })),
      h('td', { text: String(r.status) }),
      h('td', { text: formatBytes(r.sent) }),
      h('td', { text: formatBytes(r.received) })));
    const sent = engine.registry.log.reduce((a, x) => a + x.sent, 0);
    netTotal.textContent = `${engine.registry.log.length} requests, ${formatBytes(sent)} sent in all.`;
  });

  // ---- thumbnails and boxes
  const canvases: HTMLCanvasElement[] = [];
  function drawFrames(boxes?: number[][]) {
    if (!state.sampled) return;
    state.sampled.frames.forEach((f: any, i: number) => {
      const c = canvases[i];
      const ctx = c.getContext('2d')!;
      ctx.putImageData(new ImageData(new Uint8ClampedArray(f.rgba), f.width, f.height), 0, 0);
      const b = boxes?.[i] ?? state.box;
      if (b) {
        ctx.strokeStyle = boxes ? '#22c55e' : '#f59e0b';
        ctx.lineWidth = 2;
        ctx.strokeRect(b[0] * f.width, b[1] * f.height, b[2] * f.width, b[3] * f.height);
      }
    });
  }
  function renderFrames() {
    frames.replaceChildren();
    canvases.length = 0;
    for (const f of state.sampled.frames) {
      const c = h('canvas', { width: String(f.width), height: String(f.height), title: `${f.timestamp.toFixed(2)} s` }) as HTMLCanvasElement;
      let from: [number, number] | null = null;
      const at = (ev: PointerEvent): [number, number] => {
        const r = c.getBoundingClientRect();
        return [Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height))];
      };
      c.addEventListener('pointerdown', (ev) => { from = at(ev); c.setPointerCapture(ev.pointerId); });
      c.addEventListener('pointermove', (ev) => {
        if (!from) return;
        const to = at(ev);
        state.box = [Math.min(from[0], to[0]), Math.min(from[1], to[1]), Math.abs(to[0] - from[0]), Math.abs(to[1] - from[1])];
        drawFrames();
      });
      c.addEventListener('pointerup', () => {
        from = null;
        if (state.box && (state.box[2] < 0.02 || state.box[3] < 0.02)) state.box = null;
        drawFrames();
      });
      canvases.push(c);
      frames.append(h('figure', {}, c, h('figcaption', { text: `${f.timestamp.toFixed(1)} s` })));
    }
    drawFrames();
  }

  function renderWindow() {
    const d = state.source?.duration ?? WINDOW;
    windowBar.style.left = `${(100 * state.start) / d}%`;
    windowBar.style.width = `${(100 * Math.min(WINDOW, d)) / d}%`;
    windowText.textContent = `The identity is computed from a ${WINDOW}-second window, ${state.start.toFixed(1)} s to ${Math.min(d, state.start + WINDOW).toFixed(1)} s. By default it is the first ${WINDOW} seconds; drag the slider to use another part of the clip (one shot, the character in view).`;
  }

  // ---- choosing a video
  async function choose(file: Blob, name: string) {
    if (engine.busy && !state.busy) engine.cancel();
    if (state.busy) return;
    clearError();
    result.classList.add('hidden');
    progress.classList.add('hidden');
    preview.classList.add('hidden');
    state.file = file;
    state.fileName = name;
    state.sampled = null;
    state.source = null;
    state.box = null;
    state.start = 0;
    updateCreate();
    root.dataset.state = 'probing';
    try {
      const p = await engine.probe(file, { allowLowRes: lowRes.checked });
      if (state.file !== file) return;
      state.source = p.source;
      if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
      state.objectUrl = URL.createObjectURL(file);
      video.src = state.objectUrl;
      const d = p.source.duration ?? WINDOW;
      startSlider.max = String(Math.max(0, d - WINDOW));
      startSlider.value = '0';
      renderWindow();
      report.replaceChildren(...qualityReport(p.source, p.window, null, p.warnings).map((l) => h('li', { text: l })));
      preview.classList.remove('hidden');
      await resample();
    } catch (e: any) {
      if (state.file !== file || e?.code === 'cancelled') return;
      state.file = null;
      root.dataset.state = 'rejected';
      showError(e);
    }
  }

  async function resample() {
    const file = state.file;
    if (!file) return;
    state.sampled = null;
    updateCreate();
    root.dataset.state = 'sampling';
    frames.replaceChildren(h('p', { class: 'small', text: 'Decoding the window...' }));
    try {
      const s = await engine.sample(file, { start: state.start, allowLowRes: lowRes.checked });
      if (state.file !== file) return;
      state.sampled = s;
      report.replaceChildren(...qualityReport(s.source, s.window, s.quality, s.warnings).map((l) => h('li', { text: l })));
      renderFrames();
      root.dataset.state = 'ready';
      updateCreate();
    } catch (e: any) {
      if (state.file !== file || e?.code === 'cancelled') return;
      state.file = null;
      root.dataset.state = 'rejected';
      frames.replaceChildren();
      showError(e);
    }
  }

  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    if (f) choose(f, f.name);
  });
  for (const t of [drop]) {
    t.addEventListener('dragover', (ev) => { ev.preventDefault(); t.classList.add('over'); });
    t.addEventListener('dragleave', () => t.classList.remove('over'));
    t.addEventListener('drop', (ev) => {
      ev.preventDefault();
      t.classList.remove('over');
      const f = (ev as DragEvent).dataTransfer?.files?.[0];
      if (f) choose(f, f.name);
    });
  }
  urlForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const url = urlInput.value.trim();
    if (!url) return;
    clearError();
    root.dataset.state = 'fetching';
    let res: Response;
    try {
      res = await fetch(url, { mode: 'cors', credentials: 'omit' });
    } catch {
      root.dataset.state = 'rejected';
      showError({ code: 'cors_blocked' });
      return;
    }
    if (!res.ok) {
      root.dataset.state = 'rejected';
      showError({ code: 'fetch_failed', message: `HTTP ${res.status}` });
      return;
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_URL_BYTES) {
      root.dataset.state = 'rejected';
      showError({ code: 'input_too_large' });
      return;
    }
    const blob = await res.blob();
    choose(blob, url.split('/').pop() || 'video');
  });
  lowRes.addEventListener('change', () => { if (state.file) choose(state.file, state.fileName); });
  let slideTimer = 0;
  startSlider.addEventListener('input', () => {
    state.start = clampWindowStart(Number(startSlider.value), state.source?.duration);
    renderWindow();
    video.currentTime = state.start;
    clearTimeout(slideTimer);
    slideTimer = window.setTimeout(() => resample(), 300);
  });
  nameInput.addEventListener('input', updateCreate);

  // ---- creating
  createButton.addEventListener('click', async () => {
    const name = nameInput.value;
    const file = state.file;
    if (!file || !state.sampled || validateName(name)) return;
    clearError();
    result.classList.add('hidden');
    state.busy = true;
    updateCreate();
    progress.classList.remove('hidden');
    progress.dataset.state = 'running';
    setStage('reading', 0);
    const t0 = performance.now();
    try {
      const e = await engine.embed(file, { start: state.start, box: state.box, allowLowRes: lowRes.checked });
      drawFrames(e.subject.boxes);
      setStage('registering', 4 / 5);
      const t1 = performance.now();
      const thumbs = canvases.slice(0, 3).map((cv) => cv.toDataURL('image/jpeg', 0.7));
      let c: any;
      try {
        if (!navigator.onLine) throw { code: 'network_error' };
        c = await engine.register(name, e.payload);
      } catch (err: any) {
        if (err?.code !== 'network_error') throw err;
        // Offline or the registry is unreachable: keep it in IndexedDB, send it later.
        await queue.add({ registry: engine.registry.base, name, payload: e.payload, thumbnails: thumbs, queuedAt: Date.now() });
        progress.dataset.state = 'queued';
        setStage(null, 1);
        for (const li of stageItems.values()) li.className = 'done';
        await renderQueue();
        return;
      }
      const registerMs = Math.round(performance.now() - t1);
      saveLocal(c.id, { payload: e.payload, thumbnails: thumbs, name: c.name, model: c.model });
      progress.dataset.state = 'done';
      setStage(null, 1);
      for (const li of stageItems.values()) li.className = 'done';
      const timings = { ...e.timings, register: registerMs, total: Math.round(performance.now() - t0) };
      root.dataset.timings = JSON.stringify(timings);
      showResult(c, timings);
      await refreshLibrary();
      onCreated?.(c);
    } catch (err: any) {
      progress.dataset.state = err?.code === 'cancelled' ? 'cancelled' : 'error';
      showError(err);
    } finally {
      state.busy = false;
      updateCreate();
    }
  });
  cancelButton.addEventListener('click', () => {
    if (progress.dataset.state !== 'running') return;
    engine.cancel();
    // the preview's decoded frames lived in the old Worker; decode them again
    if (state.file) resample();
  });

  function showResult(c: any, timings: Record<string, number>) {
    const snippet = promptSnippet(c.name, c.id);
    const copy = h('button', { testid: 'copy-button', text: 'Copy ID' });
    copy.addEventListener('click', async () => {
      await navigator.clipboard?.writeText(c.id).catch(() => {});
      copy.textContent = 'Copied';
    });
    const snippetArea = h('textarea', { readonly: true, rows: '2', testid: 'prompt-snippet' }, snippet);
    result.replaceChildren(
      h('p', { class: 'small', text: `${c.name}'s character ID` }),
      h('p', { class: 'id' }, h('code', { testid: 'character-id-value', text: c.id }), ' ', copy),
      h('p', { class: 'small', text: 'Ready-to-paste prompt snippet:' }), snippetArea,
      h('p', { class: 'small', testid: 'timings', text: `Decode ${timings.decode} ms, find ${timings.detect} ms, identity ${timings.embed} ms, register ${timings.register} ms; ${timings.total} ms in all.` }),
    );
    result.classList.remove('hidden');
  }

  // ---- the offline queue
  async function renderQueue() {
    let items: Queued[] = [];
    try {
      items = await queue.all(engine.registry.base);
    } catch {
      /* no IndexedDB (private mode): nothing was queued either */
    }
    offlineQueue.dataset.count = String(items.length);
    offlineQueue.classList.toggle('hidden', !items.length);
    queueNote.textContent = items.length
      ? `${items.length} character${items.length > 1 ? 's' : ''} made while the registry could not be reached. ${items.length > 1 ? 'They are' : 'It is'} kept in this browser and sent as soon as you are back online.`
      : '';
    queueList.replaceChildren(...items.map((q) => {
      const li = h('li', { testid: 'queue-item', 'data-key': String(q.key), 'data-state': q.error ? 'refused' : 'waiting' },
        q.thumbnails?.[0] ? h('img', { src: q.thumbnails[0], alt: '', class: 'thumb' }) : null,
        h('span', {}, h('strong', { text: q.name }), ' ', h('span', { class: 'small', text: q.error ? `refused: ${q.error}` : `waiting since ${new Date(q.queuedAt).toLocaleTimeString()}` })));
      if (q.error) {
        const drop = h('button', { testid: 'queue-remove', text: 'Remove' });
        drop.addEventListener('click', async () => {
          if (!confirm(`Remove ${q.name} from the queue? It was not registered.`)) return;
          await queue.remove(q.key!);
          renderQueue();
        });
        li.append(drop);
      }
      return li;
    }));
    if (items.some((q) => !q.error)) scheduleRetry();
    return items;
  }

  let flushing: Promise<void> | null = null;
  let retryTimer = 0;
  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => { if (navigator.onLine) flushQueue(); }, 20_000);
  }
  // Sends the queued registrations in order; stops at the first network failure (still offline).
  function flushQueue(): Promise<void> {
    flushing ??= (async () => {
      let sent = 0;
      try {
        const items = await queue.all(engine.registry.base).catch(() => [] as Queued[]);
        offlineQueue.dataset.state = 'sending';
        for (const q of items) {
          if (q.error) continue;
          try {
            const c = await engine.registry.register(q.name, q.payload);
            saveLocal(c.id, { payload: q.payload, thumbnails: q.thumbnails, name: c.name, model: c.model });
            await queue.remove(q.key!);
            sent++;
            onCreated?.(c);
          } catch (e: any) {
            if (e?.code === 'network_error' || (e?.status ?? 0) >= 500 || e?.code === 'rate_limited') break;
            await queue.put({ ...q, error: errorText({ code: e?.code ?? 'invalid_request', message: e?.message }) });
          }
        }
      } finally {
        offlineQueue.dataset.state = 'idle';
        flushing = null;
        await renderQueue();
        if (sent) await refreshLibrary();
      }
    })();
    return flushing;
  }
  window.addEventListener('online', () => { flushQueue(); });

  // ---- library
  async function refreshLibrary() {
    library.dataset.state = 'loading';
    try {
      const items = await engine.registry.list();
      const local = localCards();
      libList.replaceChildren(...items.map((c) => libraryItem(c, local[c.id])));
      if (!items.length) libList.append(h('li', { class: 'small', text: 'No characters yet.' }));
      driftSelect.replaceChildren(h('option', { value: '', text: 'Choose a character' }),
        ...items.filter((c) => local[c.id]).map((c) => h('option', { value: c.id, text: `${c.name} (${c.id})` })));
      library.dataset.state = 'ready';
    } catch (e) {
      library.dataset.state = 'error';
      libList.replaceChildren(h('li', { class: 'small', text: errorText({ code: (e as any).code ?? 'network_error' }) }));
    }
  }

  function libraryItem(c: any, local?: Local) {
    const del = h('button', { testid: 'delete-button', text: 'Delete' });
    del.addEventListener('click', async () => {
      if (!confirm(`Delete ${c.name} (${c.id}) from the registry?`)) return;
      try {
        await engine.registry.remove(c.id);
        dropLocal(c.id);
      } catch (e) {
        showError(e);
      }
      refreshLibrary();
    });
    const exp = h('button', { testid: 'export-button', text: 'Export card', disabled: !local });
    exp.addEventListener('click', () => {
      if (!local) return;
      const card = makeCard({ name: c.name, id: c.id, model: c.model, payload: local.payload, thumbnails: local.thumbnails, created_at: c.created_at });
      const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(card, null, 2)], { type: 'application/json' })), download: `${c.id}.charid.json` });
      a.click();
    });
    const thumb = local?.thumbnails?.[0] ? h('img', { src: local.thumbnails[0], alt: '', class: 'thumb' }) : null;
    return h('li', { testid: 'library-item', 'data-id': c.id }, thumb,
      h('span', {}, h('strong', { text: c.name }), ' ', h('code', { text: c.id })), del, exp);
  }

  importInput.addEventListener('change', async () => {
    const f = importInput.files?.[0];
    if (!f) return;
    clearError();
    try {
      const card = parseCard(await f.text());
      const c = await engine.register(card.name, card.payload);
      saveLocal(c.id, { payload: card.payload, thumbnails: card.thumbnails, name: c.name, model: c.model });
      await refreshLibrary();
    } catch (e: any) {
      showError({ code: e.code ?? 'invalid_request', message: e.message });
    }
  });

  // ---- drift check
  driftInput.addEventListener('change', async () => {
    const f = driftInput.files?.[0];
    const local = localCards()[driftSelect.value];
    if (!f) return;
    if (!local) {
      driftVerdictEl.textContent = 'Choose a character first (one created or imported in this browser).';
      return;
    }
    driftVerdictEl.textContent = 'Comparing...';
    drift.dataset.state = 'running';
    try {
      const r = await engine.drift(f, local.payload, { allowLowRes: lowRes.checked });
      const threshold = r.overall.threshold ?? 0.5;
      plot(r.similarities, threshold);
      const v = driftVerdictEl;
      const d = driftVerdict(r.similarities, threshold);
      v.textContent = `${r.overall.verdict === 'same' ? 'Same character' : 'Different character'}: similarity ${r.overall.similarity.toFixed(3)} (threshold ${threshold}); ${d.below} of ${r.similarities.length} frames below the threshold.`;
      drift.dataset.state = 'done';
    } catch (e: any) {
      drift.dataset.state = 'error';
      driftVerdictEl.textContent = errorText({ code: e.code, message: e.message });
    }
  });
  function plot(sims: number[], threshold: number) {
    const ctx = driftPlot.getContext('2d')!;
    const W = driftPlot.width, H = driftPlot.height;
    ctx.clearRect(0, 0, W, H);
    const y = (s: number) => H - 10 - (H - 20) * Math.max(0, Math.min(1, s));
    ctx.strokeStyle = '#ef4444';
    ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(0, y(threshold)); ctx.lineTo(W, y(threshold)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = '#2563eb';
    ctx.lineWidth = 2;
    ctx.beginPath();
    sims.forEach((s, i) => {
      const x = 10 + ((W - 20) * i) / Math.max(1, sims.length - 1);
      if (i) ctx.lineTo(x, y(s)); else ctx.moveTo(x, y(s));
    });
    ctx.stroke();
  }

  // ---- start
  engine.addEventListener('ready', (ev: any) => {
    const info = ev.detail;
    isolation.textContent = info.isolated
      ? `Cross-origin isolated: the engine may use ${info.threads} threads.`
      : 'Not cross-origin isolated: the engine runs on one thread.';
    isolation.dataset.isolated = String(info.isolated);
  });
  engine.ready.catch((e) => { if (e?.code !== 'cancelled') showError(e); });
  if (!hasSimd()) showError({ code: 'no_simd' });
  renderQueue();
  engine.registry.key().then(async () => {
    if (navigator.onLine) await flushQueue();
    await refreshLibrary();
  }, () => refreshLibrary());
  root.dataset.state = 'idle';
  return { refreshLibrary, flushQueue };
}

export { EngineError };
