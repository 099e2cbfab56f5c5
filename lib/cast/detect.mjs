// Every subject of every sampled frame, for the cast check: YuNet faces, YOLOX people and
// animals (the identity pipeline's detectFrames, with the core's thresholds), and, when the
// detectors find nothing in the whole clip, the segmenter's connected foreground regions.
import { detectFrames, tensorSpec } from '../identity/pipeline.mjs';
import { unwrap } from '../identity/parts.mjs';

const SUBJECT_KINDS = new Set(['person', 'animal']);
const PASCAL_CLASSES = 21;
const REGION_MIN_SHARE = 0.01;   // of the frame: smaller foreground specks are not subjects

// -> [{faces: [det], subjects: [det]}] per image (IdentityFrame), boxes in frame pixels.
export async function detectAll(core, runner, images) {
  const frames = await detectFrames(core, runner, images);
  return frames.map(({ faces, objects }) => ({ faces, subjects: objects.filter((d) => SUBJECT_KINDS.has(d.kind)) }));
}

// The segmenter's connected foreground regions of one frame as detections of kind "object".
export async function foregroundRegions(core, runner, image) {
  const spec = tensorSpec(runner.spec('segmenter'));
  const t = unwrap(core.foregroundTensor(image, spec), 'preparing the segmenter');
  const logits = Object.values(await runner.run('segmenter', t.tensor, t.dims))[0].data;
  const size = spec.width;
  const on = new Uint8Array(size * size);
  for (let i = 0; i < on.length; i++) {
    const l = logits.subarray(i * PASCAL_CLASSES, (i + 1) * PASCAL_CLASSES);
    let best = 0;
    for (let c = 1; c < PASCAL_CLASSES; c++) if (l[c] > l[best]) best = c;
    on[i] = best !== 0 ? 1 : 0;
  }
  const label = new Int32Array(on.length).fill(-1);
  const regions = [];
  for (let start = 0; start < on.length; start++) {
    if (!on[start] || label[start] >= 0) continue;
    // flood fill (4-connected) with an explicit stack
    const stack = [start];
    label[start] = regions.length;
    let count = 0, x0 = size, y0 = size, x1 = -1, y1 = -1;
    while (stack.length) {
      const p = stack.pop();
      const x = p % size, y = (p - x) / size;
      count++;
      x0 = Math.min(x0, x), y0 = Math.min(y0, y), x1 = Math.max(x1, x), y1 = Math.max(y1, y);
      for (const q of [x > 0 ? p - 1 : -1, x < size - 1 ? p + 1 : -1, y > 0 ? p - size : -1, y < size - 1 ? p + size : -1]) {
        if (q >= 0 && on[q] && label[q] < 0) { label[q] = regions.length; stack.push(q); }
      }
    }
    regions.push({ count, x0, y0, x1, y1 });
  }
  const sx = image.width / size, sy = image.height / size;
  return regions
    .filter((r) => r.count >= REGION_MIN_SHARE * on.length)
    .map((r) => ({
      box: [r.x0 * sx, r.y0 * sy, (r.x1 - r.x0 + 1) * sx, (r.y1 - r.y0 + 1) * sy],
      score: r.count / ((r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1)),
      kind: 'object',
      classId: -1,
    }));
}
