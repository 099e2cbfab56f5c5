// One "choose -> ID" run on the real page, timed inside the page: marks from the file input's
// change event to the preview, the first frame, and the ID on screen (a MutationObserver), and
// what the Worker said (which decoder ran, the timings of Create) read off its messages.

// Before the page's scripts: note the Worker's answers (decoder of the sample, init's threads).
function watchWorkers() {
  window.__charid = { marks: {}, decoder: null, init: null };
  const mark = (k) => { window.__charid.marks[k] ??= performance.now(); };
  window.__charidMark = mark;
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({ data }) => {
        const r = data?.result;
        if (r && typeof r === 'object') {
          if (typeof r.decoder === 'string') window.__charid.decoder = r.decoder;
          if ('isolated' in r && 'threads' in r) window.__charid.init = r;
        }
      });
    }
  };
  document.addEventListener('change', (e) => {
    if (e.target?.dataset?.testid === 'video-input') mark('chosen');
  }, true);
  // What is on screen before a choice (a second clip on the same page): only new content counts.
  const text = (sel) => document.querySelector(sel)?.textContent ?? '';
  const srcs = () => [...document.querySelectorAll('[data-testid="frames"] img')].map((i) => i.src);
  window.__charid.reset = () => {
    window.__charid.marks = {};
    window.__charid.decoder = null;
    window.__charid.before = { preview: text('[data-testid="quality-report"]'), frames: new Set(srcs()), id: text('[data-testid="character-id-value"]') };
  };
  window.__charid.reset();
  const observe = () => new MutationObserver(() => {
    const before = window.__charid.before;
    const report = text('[data-testid="quality-report"]');
    if (document.querySelector('[data-testid="preview"]') && report && report !== before.preview) mark('read');
    if (srcs().some((src) => src && !before.frames.has(src))) mark('first');
    const id = text('[data-testid="character-id-value"]');
    if (/char_/.test(id) && id !== before.id) mark('id');
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  if (document.documentElement) observe(); else document.addEventListener('DOMContentLoaded', observe);
}

export async function openPage(context, url, query) {
  const page = await context.newPage();
  await page.addInitScript(watchWorkers);
  await page.goto(`${url}/${query}`);
  await page.getByTestId('video-input').waitFor({ state: 'attached', timeout: 60_000 });
  return page;
}

// -> { read, first, total (ms from choosing), decode, find, identity, register (the page's
// timings), timings, decoder, threads }
export async function chooseToId(page, file, name, { timeout = 240_000 } = {}) {
  await page.evaluate(() => window.__charid.reset());
  await page.getByTestId('video-input').setInputFiles(file);
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('create-button').click({ timeout });
  await page.waitForFunction(() => window.__charid.marks.id != null
    || document.querySelector('[data-testid="progress"]')?.dataset.state === 'error', null, { timeout, polling: 50 });
  if (await page.evaluate(() => window.__charid.marks.id == null)) {
    throw new Error(`create failed: ${await page.getByTestId('error-message').textContent()}`);
  }
  const info = await page.evaluate(() => {
    const t = document.querySelector('[data-timings]')?.dataset.timings;
    return { ...window.__charid, timings: t ? JSON.parse(t) : {} };
  });
  const since = (k) => (info.marks[k] != null && info.marks.chosen != null ? info.marks[k] - info.marks.chosen : null);
  return {
    read: since('read'),
    first: since('first'),
    total: since('id'),
    decode: info.timings.decode ?? null,
    find: info.timings.detect ?? null,
    identity: info.timings.embed ?? null,
    register: info.timings.register ?? null,
    timings: info.timings,
    decoder: info.decoder ?? 'wasm (not reported)',
    threads: info.timings.threads ?? info.init?.threads ?? null,
  };
}
