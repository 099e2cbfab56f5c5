// 2. Check the clip: the video, the 4 s window on its timeline (a slider moves it), the quality
// report in plain words, and the sampled frames, on which a drag chooses the subject by hand.
import { html } from 'lit-html';
import { createRef, ref } from 'lit-html/directives/ref.js';
// styleMap sets positions through the CSSOM, which a Content-Security-Policy without
// 'unsafe-inline' styles still allows (a style="" attribute it would block)
import { styleMap } from 'lit-html/directives/style-map.js';
import { clampWindowStart, qualityReport } from '../logic';
import { framesToViews } from './images';
import { currentAnalysis, type Box, type Context } from './state';

const WINDOW = 4;
const MIN_BOX = 0.02; // a drag smaller than this (of the frame) is a click, not a box

export function previewFeature(ctx: Context) {
  const { state, engine } = ctx;
  const video = createRef<HTMLVideoElement>();
  let objectUrl = '';
  let objectUrlOf: Blob | null = null;
  let quality: any = null;
  let slideTimer = 0;
  let drag: { from: [number, number] } | null = null;

  async function resample() {
    const file = state.file;
    if (!file) return;
    Object.assign(state, { frames: null, phase: 'sampling', analysis: null });
    quality = null;
    ctx.update();
    // The Worker posts each frame's thumbnail as it is decoded: show them before the rest.
    const start = state.start;
    const streaming = () => state.file === file && state.start === start && state.phase === 'sampling';
    const onProgress = async (ev: Event) => {
      const p = (ev as CustomEvent).detail;
      if (!p?.frame || p.start !== start || !streaming()) return;
      const [view] = await framesToViews([p.frame]);
      if (!streaming()) return;
      state.frames = [...(state.frames ?? []), view].sort((a, b) => a.timestamp - b.timestamp);
      ctx.update();
    };
    engine.addEventListener('progress', onProgress);
    try {
      const s = await engine.sample(file, { start, allowLowRes: state.allowLowRes });
      const views = await framesToViews(s.frames);
      if (state.file !== file) return;
      quality = { quality: s.quality, warnings: s.warnings, window: s.window, source: s.source };
      state.frames = views;
      state.phase = 'ready';
      ctx.update();
      ctx.actions.analyse();
    } catch (e: any) {
      if (state.file !== file || e?.code === 'cancelled') return;
      Object.assign(state, { file: null, phase: 'rejected', frames: null });
      ctx.showError(e);
    } finally {
      engine.removeEventListener('progress', onProgress);
    }
  }

  function onSlide(ev: Event) {
    state.start = clampWindowStart(Number((ev.target as HTMLInputElement).value), state.source?.duration);
    if (video.value) video.value.currentTime = state.start;
    ctx.update();
    clearTimeout(slideTimer);
    slideTimer = window.setTimeout(() => resample(), 300);
  }

  const at = (ev: PointerEvent): [number, number] => {
    const r = (ev.currentTarget as HTMLElement).getBoundingClientRect();
    return [Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height))];
  };
  const onDown = (ev: PointerEvent) => {
    drag = { from: at(ev) };
    (ev.currentTarget as HTMLElement).setPointerCapture(ev.pointerId);
  };
  const onMove = (ev: PointerEvent) => {
    if (!drag) return;
    const [x0, y0] = drag.from;
    const [x1, y1] = at(ev);
    state.box = [Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)];
    ctx.update();
  };
  const onUp = () => {
    if (!drag) return;
    drag = null;
    if (state.box && (state.box[2] < MIN_BOX || state.box[3] < MIN_BOX)) state.box = null;
    ctx.update();
    ctx.actions.analyse(); // a new subject: a new identity
  };

  const percentBox = ([x, y, w, h]: Box) => ({ left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${h * 100}%` });

  function frameBox(i: number): { box: Box; found: boolean } | null {
    if (state.box) return { box: state.box, found: false };
    const found = currentAnalysis(state)?.result?.subject?.boxes?.[i];
    return found ? { box: found, found: true } : null;
  }

  const view = () => {
    const src = state.source;
    if (!src) return html``;
    if (state.file && objectUrlOf !== state.file) {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = URL.createObjectURL(state.file);
      objectUrlOf = state.file;
    }
    const d = src.duration ?? WINDOW;
    const end = Math.min(d, state.start + WINDOW);
    const lines = quality
      ? qualityReport(quality.source, quality.window, quality.quality, quality.warnings)
      : qualityReport(src, src.window, null, src.warnings);
    return html`
      <section class="card" data-testid="preview">
        <h2>2. Check the clip</h2>
        <video controls muted playsinline class="preview" .src=${objectUrl} ${ref(video)}></video>
        <div class="timeline" data-testid="timeline">
          <div class="window" style=${styleMap({ left: `${(100 * state.start) / d}%`, width: `${(100 * Math.min(WINDOW, d)) / d}%` })}></div>
        </div>
        <input type="range" min="0" max=${String(Math.max(0, d - WINDOW))} step="0.1" .value=${String(state.start)}
          data-testid="window-start" aria-label="Window start" @input=${onSlide} />
        <p class="small">The identity is computed from a ${WINDOW}-second window, ${state.start.toFixed(1)} s to ${end.toFixed(1)} s.
          By default it is the first ${WINDOW} seconds; drag the slider to use another part of the clip (one shot, the character in view).</p>
        <ul class="report" data-testid="quality-report">${lines.map((l) => html`<li>${l}</li>`)}</ul>
        <p class="small">Drag a box on a frame to choose the subject yourself (optional).</p>
        <div class="frames" data-testid="frames">
          ${state.frames
            ? state.frames.map((f, i) => {
                const b = frameBox(i);
                return html`<figure title="${f.timestamp.toFixed(2)} s">
                  <div class="shot" @pointerdown=${onDown} @pointermove=${onMove} @pointerup=${onUp}>
                    <img src=${f.url} alt="" draggable="false" />
                    ${b ? html`<div class="box ${b.found ? 'found' : ''}" style=${styleMap(percentBox(b.box))}></div>` : ''}
                  </div>
                  <figcaption>${f.timestamp.toFixed(1)} s</figcaption>
                </figure>`;
              })
            : html`<p class="small">Decoding the window...</p>`}
          ${state.frames && state.phase === 'sampling' ? html`<p class="small">Decoding the window...</p>` : ''}
        </div>
      </section>`;
  };

  return { view, resample };
}
