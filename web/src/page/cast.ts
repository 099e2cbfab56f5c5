// "Who's in this clip": drop a clip with one or more characters; the Worker finds every subject
// of its sampled frames, follows each into a track and embeds it (lib/cast), then each track's
// vector is matched against your characters and public ones (or verified against the IDs you
// name). Each track's boxes are drawn on the frames with the matched name, with a timeline per
// character; a track that matches nothing stays "unknown". Only identity vectors leave the page.
import { html } from 'lit-html';
import { errorText } from '../logic';
import { castFrames, castTimelines, trackLabel } from './cast_view';
import { framesToViews } from './images';
import type { Context } from './state';

const ID_PATTERN = /^char_[0-9A-Za-z]{16,}$/;

// "char_a, char_b" -> the IDs, or the first word that is not one.
export function parseExpected(text: string): { ids: string[]; bad: string | null } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const bad = words.find((w) => !ID_PATTERN.test(w)) ?? null;
  return { ids: [...new Set(words)], bad };
}

export function castFeature(ctx: Context) {
  const { engine } = ctx;
  let status: 'idle' | 'running' | 'done' | 'error' = 'idle';
  let file: Blob | null = null;
  let expectText = '';
  let message = '';
  let note = '';
  let result: any = null;
  let frames: { timestamp: number; width: number; height: number; url: string }[] = [];

  async function run() {
    if (!file || status === 'running') return;
    const { ids, bad } = parseExpected(expectText);
    if (bad) {
      status = 'error';
      message = `"${bad}" is not a character ID (char_...).`;
      ctx.update();
      return;
    }
    status = 'running';
    message = 'Finding who is in the clip...';
    note = '';
    result = null;
    frames = [];
    ctx.update();
    try {
      const t0 = performance.now();
      const r = await engine.cast(file, { expect: ids });
      ctx.root.dataset.castMs = String(Math.round(performance.now() - t0));
      frames = await framesToViews(r.thumbnails ?? []);
      result = r;
      const known = r.tracks.filter((t: any) => t.best).length;
      message = `${r.tracks.length} track(s) in ${r.frames} sampled frames: ${known} matched, ${r.tracks.length - known} unknown.`;
      const w = r.source?.display_width ?? r.source?.width ?? 0;
      const h = r.source?.display_height ?? r.source?.height ?? 0;
      if (Math.min(w, h) < 720) note = `This clip is ${w}x${h}, below 720p: a low resolution makes the scores less reliable.`;
      status = 'done';
    } catch (e: any) {
      status = 'error';
      message = errorText({ code: e?.code ?? 'internal_error', message: e?.message });
    }
    ctx.update();
  }

  const expectedView = () => (result?.expected?.length
    ? html`<ul class="cast-expected">${result.expected.map((x: any) => html`<li data-testid="cast-expected" data-id=${x.id} data-found=${String(x.found)}>
        ${x.name ?? x.id}: ${x.found ? `found (track ${x.track}, ${x.from}-${x.to} s, score ${x.score.toFixed(3)})` : `not found${x.score === null ? '' : ` (best score ${x.score.toFixed(3)})`}`}</li>`)}</ul>`
    : '');

  const view = () => html`<section class="card" data-testid="cast-panel" data-state=${status}>
    <h2>Who's in this clip</h2>
    <p class="small">Drop a clip with one or more characters: each one seen is followed through the sampled frames and matched
      with your characters and public ones. Name the IDs you expect to check those only.</p>
    <div class="row">
      <input type="file" accept="video/*" data-testid="cast-input" @change=${(ev: Event) => { file = (ev.target as HTMLInputElement).files?.[0] ?? null; ctx.update(); }} />
      <input type="text" placeholder="Expected IDs (optional): char_..., char_..." data-testid="cast-expect" .value=${expectText}
        @input=${(ev: Event) => { expectText = (ev.target as HTMLInputElement).value; }} />
      <button data-testid="cast-run" ?disabled=${!file || status === 'running'} @click=${run}>Check the clip</button>
    </div>
    <p data-testid="cast-summary">${message}</p>
    ${note ? html`<p class="small" data-testid="cast-note">${note}</p>` : ''}
    ${result ? html`
      <ul class="cast-tracks">${result.tracks.map((t: any) => html`<li data-testid="cast-track" data-track=${t.track} data-kind=${t.kind}
          data-verdict=${t.best ? t.best.verdict : 'unknown'} data-id=${t.best?.id ?? ''} data-frames=${t.frames.length}>${trackLabel(t)}</li>`)}</ul>
      ${expectedView()}
      ${castFrames(result.tracks, frames)}
      ${castTimelines(result.tracks, frames.map((f) => f.timestamp))}` : ''}
  </section>`;

  return { view };
}
