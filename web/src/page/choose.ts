// 1. Choose a video: a file (picker or drop) or a URL the page downloads itself, and the only
// switch of the 720p minimum. Choosing probes at once; a rejected video never reaches Create.
import { html } from 'lit-html';
import { clampWindowStart } from '../logic';
import type { Context } from './state';

const MAX_URL_BYTES = 2 * 1024 * 1024 * 1024;

export function chooseFeature(ctx: Context) {
  const { state, engine } = ctx;
  let dragging = false;

  async function choose(file: Blob, name: string) {
    if (engine.busy && state.createState !== 'running') engine.cancel();
    if (state.createState === 'running') return;
    ctx.clearError();
    Object.assign(state, {
      file, fileName: name, frames: null, source: null, box: null, start: 0, analysis: null, consent: null,
      createState: 'idle', phase: 'probing',
    });
    ctx.update();
    try {
      const p = await engine.probe(file, { allowLowRes: state.allowLowRes });
      if (state.file !== file) return;
      state.source = { ...p.source, window: p.window, warnings: p.warnings };
      state.start = clampWindowStart(0, p.source.duration);
      ctx.update();
      await ctx.actions.resample();
    } catch (e: any) {
      if (state.file !== file || e?.code === 'cancelled') return;
      state.file = null;
      state.phase = 'rejected';
      ctx.showError(e);
    }
  }

  async function fetchUrl(ev: Event) {
    ev.preventDefault();
    const input = (ev.currentTarget as HTMLFormElement).querySelector('input') as HTMLInputElement;
    const url = input.value.trim();
    if (!url) return;
    ctx.clearError();
    state.phase = 'fetching';
    ctx.update();
    const reject = (e: { code: string; message?: string }) => {
      state.phase = 'rejected';
      ctx.showError(e);
    };
    let res: Response;
    try {
      res = await fetch(url, { mode: 'cors', credentials: 'omit' });
    } catch {
      return reject({ code: 'cors_blocked' });
    }
    if (!res.ok) return reject({ code: 'fetch_failed', message: `HTTP ${res.status}` });
    if (Number(res.headers.get('content-length') ?? 0) > MAX_URL_BYTES) return reject({ code: 'input_too_large' });
    choose(await res.blob(), url.split('/').pop() || 'video');
  }

  const onFile = (ev: Event) => {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (f) choose(f, f.name);
  };
  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    dragging = false;
    ctx.update();
    const f = ev.dataTransfer?.files?.[0];
    if (f) choose(f, f.name);
  };
  const onDrag = (over: boolean) => (ev: DragEvent) => {
    ev.preventDefault();
    if (dragging !== over) {
      dragging = over;
      ctx.update();
    }
  };
  const onLowRes = (ev: Event) => {
    state.allowLowRes = (ev.target as HTMLInputElement).checked;
    if (state.file) choose(state.file, state.fileName);
  };

  const view = () => html`
    <section class="card">
      <h2>1. Choose a video</h2>
      <label class="drop ${dragging ? 'over' : ''}" for="video-input" @dragover=${onDrag(true)} @dragleave=${onDrag(false)} @drop=${onDrop}>
        <strong>Choose a video</strong> or drop it here
        <input type="file" accept="video/*,.mp4,.webm,.mov,.mkv" data-testid="video-input" id="video-input" @change=${onFile} />
      </label>
      <p class="small">or paste a link to a video:</p>
      <form class="url" @submit=${fetchUrl}>
        <input type="url" placeholder="https://example.com/clip.mp4" data-testid="url-input" />
        <button type="submit" data-testid="url-button">Fetch</button>
      </form>
      <label class="small"><input type="checkbox" data-testid="allow-low-res" .checked=${state.allowLowRes} @change=${onLowRes} />
        Allow videos under 720p (identity is less reliable)</label>
    </section>`;

  return { view, choose };
}
