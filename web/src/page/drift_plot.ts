// The drift check's plot: similarity of each sampled frame to the character over time, with a
// time axis, a similarity axis, the threshold line labelled, and the frames under the curve so a
// dip can be seen (a frame below the threshold is marked red). The frames sit side by side in a
// strip, each joined to its point's time by a short line (frames are not evenly spaced in time).
import { html, svg } from 'lit-html';

const W = 640;
const L = 52, R = 16, T = 14; // margins: the similarity labels on the left
const PLOT_H = 130;
const B = T + PLOT_H; // y of the time axis
const LINK_Y = B + 38; // the connectors from each point's time to its frame
const THUMB_Y = B + 54;
const THUMB_H = 44;
const H = THUMB_Y + THUMB_H + 6;
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

export type DriftPoint = { t: number; similarity: number; url?: string };

const tickStep = (span: number) => (span <= 2 ? 0.5 : span <= 5 ? 1 : span <= 12 ? 2 : Math.ceil(span / 6));

function timeTicks(t0: number, t1: number, step: number): number[] {
  const out = [];
  for (let t = t0; t <= t1 + 1e-9; t += step) out.push(Math.round(t * 100) / 100);
  return out;
}

export function driftPlot(points: DriftPoint[], threshold: number) {
  const plotW = W - L - R;
  const first = points.length ? points[0].t : 0;
  const t1 = points.length > 1 ? points[points.length - 1].t : first + 1;
  const step = tickStep(t1 - first);
  const t0 = Math.floor(first / step) * step; // the axis starts on a tick

  const x = (t: number) => L + ((t - t0) / Math.max(1e-6, t1 - t0)) * plotW;
  const y = (s: number) => T + (1 - Math.max(0, Math.min(1, s))) * PLOT_H;
  const slot = plotW / Math.max(1, points.length);
  const thumbX = (i: number) => L + (i + 0.5) * slot; // centre of frame i in the strip
  const thumbW = Math.min(78, slot - 2);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.similarity).toFixed(1)}`).join(' ');
  return html`<svg class="plot" data-testid="drift-plot" viewBox="0 0 ${W} ${H}" role="img"
      aria-label="Similarity of each sampled frame to the character over time, threshold ${threshold}">
    ${Y_TICKS.map((s) => svg`<line class="grid" x1=${L} x2=${W - R} y1=${y(s)} y2=${y(s)}></line>
      <text class="tick" x=${L - 6} y=${y(s) + 4} text-anchor="end">${s.toFixed(2)}</text>`)}
    <text class="axis-title" transform="translate(12 ${T + PLOT_H / 2}) rotate(-90)" text-anchor="middle">similarity</text>
    <line class="axis" x1=${L} x2=${W - R} y1=${B} y2=${B}></line>
    <line class="axis" x1=${L} x2=${L} y1=${T} y2=${B}></line>
    ${timeTicks(t0, t1, step).map((t) => svg`<line class="axis" x1=${x(t)} x2=${x(t)} y1=${B} y2=${B + 4}></line>
      <text class="tick" x=${x(t)} y=${B + 16} text-anchor="middle">${t} s</text>`)}
    <text class="axis-title" x=${L + plotW / 2} y=${B + 31} text-anchor="middle">time in the clip</text>
    <line class="threshold" data-testid="drift-threshold" x1=${L} x2=${W - R} y1=${y(threshold)} y2=${y(threshold)}></line>
    <text class="threshold-label" x=${W - R - 4} y=${y(threshold) - 5} text-anchor="end">threshold ${threshold}</text>
    <path class="curve" d=${line}></path>
    ${points.map((p) => svg`<line class="guide" x1=${x(p.t)} x2=${x(p.t)} y1=${y(p.similarity)} y2=${B}></line>
      <circle class=${p.similarity < threshold ? 'point below' : 'point'} cx=${x(p.t)} cy=${y(p.similarity)} r="3.5">
        <title>${p.t.toFixed(2)} s: similarity ${p.similarity.toFixed(3)}</title></circle>`)}
    ${points.map((p, i) => (p.url ? svg`<line class="guide" x1=${x(p.t)} x2=${thumbX(i)} y1=${LINK_Y} y2=${THUMB_Y - 2}></line>
      <image data-testid="drift-frame" href=${p.url} x=${thumbX(i) - thumbW / 2} y=${THUMB_Y}
        width=${thumbW} height=${THUMB_H} preserveAspectRatio="xMidYMid slice"><title>${p.t.toFixed(2)} s</title></image>` : ''))}
  </svg>`;
}
