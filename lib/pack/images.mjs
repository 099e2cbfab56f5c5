// The pixels of a pack: subject crops, cutouts and aligned faces, made from the sampled frames by
// the core's own resampling (the same bilinear sampler and the same 5-point face template the
// networks see), as RGBA pixels. Encoding them is the caller's (lib/pack/node.mjs: pngjs; the
// page's Worker: OffscreenCanvas), so this file runs in Node and in the browser alike.
//
// The wasm module exports tensors, not images: a tensor spec of plain RGB 0..255 (NHWC, scale 1,
// mean 0, std 1) turns cropTensor / alignedFaceTensor into image resamplers. The segmenter's mask
// is not exported either, so its probabilities are read here from the logits, with the core's
// rule (src/identity/foreground_mask.cpp: foreground = 1 - softmax background).
import { tensorSpec } from '../identity/parts.mjs';

const PASCAL_CLASSES = 21;
// Below FEATHER_LOW the cutout is transparent, above FEATHER_HIGH opaque, smooth in between; then
// the edge is blurred over about 1% of the crop's short side.
const FEATHER_LOW = 0.3;
const FEATHER_HIGH = 0.7;
const FEATHER_SHARE = 0.01;
// A cutout needs at least this share of foreground in its crop, else the segmenter saw nothing.
const MIN_FOREGROUND_SHARE = 0.03;

const rawSpec = (width, height) => ({
  width, height, layout: 'NHWC', colour: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], pad: 0,
});

function rgbaFromTensor(t, width, height, alpha = null) {
  const out = new Uint8Array(width * height * 4);
  for (let i = 0, n = width * height; i < n; i++) {
    out[4 * i] = clampByte(t[3 * i]);
    out[4 * i + 1] = clampByte(t[3 * i + 1]);
    out[4 * i + 2] = clampByte(t[3 * i + 2]);
    out[4 * i + 3] = alpha ? clampByte(alpha[i] * 255) : 255;
  }
  return out;
}
const clampByte = (v) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

// -> {width, height, rgba}: `box` ([x, y, w, h] frame pixels) of `image` (IdentityFrame)
// resampled to width x height.
export function cropImage(core, image, box, width, height) {
  return { width, height, rgba: rgbaFromTensor(core.cropTensor(image, box, rawSpec(width, height)), width, height) };
}

// -> {width, height, rgba}: the face aligned on the face model's 5-point template, side x side.
export function alignedFaceImage(core, image, landmarks, side) {
  return { width: side, height: side, rgba: rgbaFromTensor(core.alignedFaceTensor(image, landmarks, rawSpec(side, side)), side, side) };
}

// The segmenter's foreground probability over `box`, as a size x size grid.
async function foregroundGrid(core, runner, image, box) {
  const spec = tensorSpec(runner.spec('segmenter'));
  const t = core.cropTensor(image, box, spec);
  const logits = Object.values(await runner.run('segmenter', t, [1, spec.height, spec.width, 3]))[0].data;
  const n = spec.width * spec.height;
  if (logits.length !== n * PASCAL_CLASSES) throw new Error(`segmenter output has ${logits.length} values, not ${n} x ${PASCAL_CLASSES}`);
  const prob = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const l = logits.subarray(i * PASCAL_CLASSES, (i + 1) * PASCAL_CLASSES);
    let max = -Infinity;
    for (const v of l) max = Math.max(max, v);
    let sum = 0;
    for (const v of l) sum += Math.exp(v - max);
    prob[i] = 1 - Math.exp(l[0] - max) / sum;
  }
  return { prob, size: spec.width };
}

// Bilinear resize of a size x size grid to width x height (pixel centres aligned).
function resizeGrid(grid, size, width, height) {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(size - 1, Math.max(0, ((y + 0.5) * size) / height - 0.5));
    const y0 = Math.floor(gy), y1 = Math.min(y0 + 1, size - 1), fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(size - 1, Math.max(0, ((x + 0.5) * size) / width - 0.5));
      const x0 = Math.floor(gx), x1 = Math.min(x0 + 1, size - 1), fx = gx - x0;
      const top = grid[y0 * size + x0] * (1 - fx) + grid[y0 * size + x1] * fx;
      const bot = grid[y1 * size + x0] * (1 - fx) + grid[y1 * size + x1] * fx;
      out[y * width + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

// One pass of a running-sum box blur along rows (step 1) or columns (step width).
function boxBlur1d(src, width, height, radius, horizontal) {
  const out = new Float32Array(src.length);
  const [lines, len] = horizontal ? [height, width] : [width, height];
  for (let line = 0; line < lines; line++) {
    const at = (i) => (horizontal ? line * width + i : i * width + line);
    let sum = 0;
    for (let i = -radius; i <= radius; i++) sum += src[at(Math.min(len - 1, Math.max(0, i)))];
    for (let i = 0; i < len; i++) {
      out[at(i)] = sum / (2 * radius + 1);
      sum += src[at(Math.min(len - 1, i + radius + 1))] - src[at(Math.max(0, i - radius))];
    }
  }
  return out;
}

const smoothstep = (a, b, v) => {
  const t = Math.min(1, Math.max(0, (v - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

// -> {width, height, rgba} of the crop with the background transparent (feathered edges), or
// null when the segmenter finds (almost) no foreground in it.
export async function cutoutImage(core, runner, image, box, width, height) {
  const { prob, size } = await foregroundGrid(core, runner, image, box);
  let on = 0;
  for (const p of prob) on += p >= 0.5;
  if (on < MIN_FOREGROUND_SHARE * prob.length) return null;
  let alpha = resizeGrid(prob, size, width, height).map((p) => smoothstep(FEATHER_LOW, FEATHER_HIGH, p));
  const radius = Math.max(1, Math.round(FEATHER_SHARE * Math.min(width, height)));
  alpha = boxBlur1d(boxBlur1d(alpha, width, height, radius, true), width, height, radius, false);
  const t = core.cropTensor(image, box, rawSpec(width, height));
  return { width, height, rgba: rgbaFromTensor(t, width, height, alpha) };
}
