// The cast check's pictures: each sampled frame with every track's box drawn on it (the matched
// name, or "unknown"), and a timeline per character: the clip's sampled window with a mark at
// each frame the character's track holds.
import { html, svg } from 'lit-html';
// styleMap goes through the CSSOM, which the page's CSP allows (a style="" attribute it blocks)
import { styleMap } from 'lit-html/directives/style-map.js';

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];
const colourOf = (track: number) => COLOURS[(track - 1) % COLOURS.length];

type Track = { track: number; kind: string; frames: { t: number; box: number[] }[]; best: { id: string; name: string | null; score: number; verdict: string } | null };
type FrameView = { timestamp: number; width: number; height: number; url: string };

const nameOf = (t: Track) => (t.best ? t.best.name ?? t.best.id : 'unknown');

export function trackLabel(t: Track) {
  return html`<span class="swatch" style=${styleMap({ background: colourOf(t.track) })}></span>
    Track ${t.track} (${t.kind}, ${t.frames.length} frames): ${t.best
      ? html`<strong>${nameOf(t)}</strong> <code>${t.best.id}</code>, ${t.best.verdict} at ${t.best.score.toFixed(3)}`
      : html`<strong>unknown</strong> (no character at or above the threshold)`}`;
}

// The frames side by side, each an SVG so the normalised boxes scale with it.
export function castFrames(tracks: Track[], frames: FrameView[]) {
  const near = (a: number, b: number) => Math.abs(a - b) < 0.0015;
  return html`<div class="cast-frames">${frames.map((f) => {
    const here = tracks.flatMap((t) => t.frames.filter((x) => near(x.t, f.timestamp)).map((x) => ({ t, box: x.box })));
    return html`<svg class="cast-frame" data-testid="cast-frame" viewBox="0 0 ${f.width} ${f.height}" role="img"
        aria-label="Frame at ${f.timestamp.toFixed(2)} s with ${here.length} subject(s)">
      <image href=${f.url} x="0" y="0" width=${f.width} height=${f.height}></image>
      ${here.map(({ t, box }) => {
        const [x, y, w, h] = [box[0] * f.width, box[1] * f.height, box[2] * f.width, box[3] * f.height];
        return svg`<rect class="cast-box" data-track=${t.track} x=${x} y=${y} width=${w} height=${h} stroke=${colourOf(t.track)}></rect>
          <text class="cast-name" x=${x + 3} y=${Math.max(12, y - 3)} fill=${colourOf(t.track)}>${nameOf(t)}</text>`;
      })}
    </svg>`;
  })}</div>`;
}

const W = 640, L = 150, R = 12, ROW = 22;

// One row per character (tracks matched to the same ID share a row; each unknown track is its own).
export function castTimelines(tracks: Track[], times: number[]) {
  const rows = new Map<string, { label: string; colour: string; id: string; ts: number[] }>();
  for (const t of tracks) {
    const key = t.best ? t.best.id : `unknown-${t.track}`;
    const row = rows.get(key) ?? { label: t.best ? nameOf(t) : `unknown (track ${t.track})`, colour: colourOf(t.track), id: t.best?.id ?? '', ts: [] };
    row.ts.push(...t.frames.map((f) => f.t));
    rows.set(key, row);
  }
  const all = times.length ? times : tracks.flatMap((t) => t.frames.map((f) => f.t));
  const t0 = Math.min(...all, 0), t1 = Math.max(...all, t0 + 1);
  const x = (t: number) => L + ((t - t0) / Math.max(1e-6, t1 - t0)) * (W - L - R);
  // a mark as wide as the closest two sampled frames allow (frames are not evenly spaced in time)
  const sorted = [...new Set(all)].sort((p, q) => p - q);
  const gap = sorted.slice(1).reduce((m, t, i) => Math.min(m, t - sorted[i]), Infinity);
  const slot = Number.isFinite(gap) ? x(t0 + gap) - x(t0) : (W - L - R) / Math.max(1, all.length);
  return html`${[...rows.values()].map((r) => html`<svg class="cast-timeline" data-testid="cast-timeline" data-id=${r.id}
      data-from=${Math.min(...r.ts)} data-to=${Math.max(...r.ts)} viewBox="0 0 ${W} ${ROW}" role="img"
      aria-label="${r.label}: seen from ${Math.min(...r.ts)} s to ${Math.max(...r.ts)} s">
    <text class="cast-row-label" x="4" y=${ROW - 7}>${r.label}</text>
    <line class="cast-axis" x1=${L} x2=${W - R} y1=${ROW / 2} y2=${ROW / 2}></line>
    ${r.ts.map((t) => svg`<rect x=${x(t) - slot / 2} y="3" width=${Math.max(2, slot - 1)} height=${ROW - 6} fill=${r.colour}><title>${t} s</title></rect>`)}
  </svg>`)}
  <p class="small">Timeline from ${t0} s to ${t1} s of the clip (one mark per sampled frame the character is in).</p>`;
}
