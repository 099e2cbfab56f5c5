// Which sampled frames become a pack's views, and the crop of each: sharp, fully in frame, well
// exposed, and as different from each other as the per-frame identity vectors say (the frames of
// one pose look alike to the networks; a turned head or another stance does not).
import { modelSimilarity } from '../identity/similarity.mjs';

export const MAX_VIEWS = 4;
export const MIN_SHORT_SIDE = 320;   // above every listed generator's minimum (MiniMax: over 300 px)
const MAX_LONG_SIDE = 2048;          // larger crops are scaled down (no generator wants more)
const MARGIN = 0.12;                 // of the subject box, on each side
const MIN_ASPECT = 0.5, MAX_ASPECT = 2.0;   // inside every generator's 1:2.5 .. 2.5:1
const EDGE = 0.01;                   // a box this close to the frame's edge is cut by it
const NEAR_DUPLICATE = 0.02;         // 1 - cosine below this: the same view again

// A usable exposure: mean luma away from black and white, few clipped pixels (0..1, 1 best).
function exposureScore(q) {
  if (!q) return 1;
  const luma = (q.mean_luma ?? 128) / 255;
  const mid = 1 - Math.min(1, Math.abs(luma - 0.5) / 0.45);
  const clipped = (q.clipped_dark ?? 0) + (q.clipped_bright ?? 0);
  return Math.max(0, mid) * Math.max(0, 1 - 4 * clipped);
}

export function inFrame([x, y, w, h], width, height) {
  const ex = EDGE * width, ey = EDGE * height;
  return x > ex && y > ey && x + w < width - ex && y + h < height - ey;
}

// The plain cosine rule of the identity vectors (lib/identity/similarity.mjs), as a distance.
const COSINE = { similarity: { rule: 'cosine' } };
const cosineDistance = (a, b) => 1 - modelSimilarity(COSINE, a, b);

// frames: the sampled frames; subject: locateSubject's result (boxes, faces per frame);
// frameVectors: one identity vector per frame. -> {views: [frame index], warnings}
export function chooseViews(frames, subject, frameVectors, max = MAX_VIEWS) {
  const warnings = [];
  const maxSharp = Math.max(...frames.map((f) => f.quality?.sharpness ?? 1)) || 1;
  const scored = frames.map((f, i) => {
    const box = subject.boxes[i];
    const whole = inFrame(box, f.width, f.height);
    const sharp = (f.quality?.sharpness ?? 1) / maxSharp;
    // a face seen makes a better front for a person; a bigger subject gives more pixels
    const face = subject.faces[i] ? 1.1 : 1;
    return { i, whole, score: sharp * exposureScore(f.quality) * face * (0.75 + 0.25 * Math.sqrt((box[2] * box[3]) / (f.width * f.height))) };
  });
  let pool = scored.filter((s) => s.whole);
  if (!pool.length) {
    warnings.push('subject_cut_by_frame');
    pool = scored;
  }
  pool.sort((a, b) => b.score - a.score || a.i - b.i);
  const best = pool[0].score || 1;
  const chosen = [pool[0]];
  // Farthest-point choice among the frames within reach of the best quality.
  const rest = pool.slice(1).filter((s) => s.score >= 0.5 * best);
  while (chosen.length < max && rest.length) {
    let pick = -1, pickValue = -Infinity;
    rest.forEach((s, k) => {
      const distance = Math.min(...chosen.map((c) => cosineDistance(frameVectors[s.i], frameVectors[c.i])));
      if (distance < NEAR_DUPLICATE) return;
      const value = distance * (0.5 + 0.5 * (s.score / best));
      if (value > pickValue) { pickValue = value; pick = k; }
    });
    if (pick < 0) break;
    chosen.push(rest.splice(pick, 1)[0]);
  }
  if (chosen.length < 2) warnings.push('single_view');
  return { views: chosen.map((c) => c.i), warnings };
}

// The crop of a view: the subject box with a margin, its aspect ratio inside 1:2 .. 2:1, grown to
// a short side of MIN_SHORT_SIDE px when the frame has it, kept inside the frame.
// -> {box: [x, y, w, h] frame pixels, width, height (output pixels), belowMinimum}
export function viewCrop([bx, by, bw, bh], frameWidth, frameHeight) {
  let w = bw * (1 + 2 * MARGIN), h = bh * (1 + 2 * MARGIN);
  if (w / h < MIN_ASPECT) w = h * MIN_ASPECT;
  if (w / h > MAX_ASPECT) h = w / MAX_ASPECT;
  const grow = Math.max(1, MIN_SHORT_SIDE / Math.min(w, h));
  w = Math.min(frameWidth, w * grow);
  h = Math.min(frameHeight, h * grow);
  const cx = bx + bw / 2, cy = by + bh / 2;
  const x = Math.min(Math.max(0, cx - w / 2), frameWidth - w);
  const y = Math.min(Math.max(0, cy - h / 2), frameHeight - h);
  const box = [Math.round(x), Math.round(y), Math.round(w), Math.round(h)];
  box[2] = Math.min(box[2], frameWidth - box[0]);
  box[3] = Math.min(box[3], frameHeight - box[1]);
  const scale = Math.min(1, MAX_LONG_SIDE / Math.max(box[2], box[3]));
  const width = Math.max(1, Math.round(box[2] * scale)), height = Math.max(1, Math.round(box[3] * scale));
  return { box, width, height, belowMinimum: Math.min(width, height) < MIN_SHORT_SIDE };
}

// Reference points of the face template (src/identity/tensor_prep.cpp, kFaceReference): the eyes
// sit 35.24/96 of the crop's width apart. The side at which the face keeps its source resolution.
const TEMPLATE_EYE_SPAN = (65.5318 - 30.2946) / 96;
export const FACE_SIDE = 512, FACE_MIN_SIDE = 112;
export function faceSide(landmarks) {
  const eyes = Math.hypot(landmarks[2] - landmarks[0], landmarks[3] - landmarks[1]);
  const native = Math.round(eyes / TEMPLATE_EYE_SPAN);
  return { side: Math.max(FACE_MIN_SIDE, Math.min(FACE_SIDE, native)), upscaled: native < FACE_MIN_SIDE };
}
