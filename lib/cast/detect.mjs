// Every subject of every sampled frame, for the cast check: YuNet faces, YOLOX people and
// animals, and, when the detectors find nothing in the whole clip, the segmenter's connected
// foreground regions. The identity pipeline (lib/identity/pipeline.mjs) runs the same detectors
// but keeps only the one subject it chooses and does not export its per-frame detections, so
// they are composed here from the exported runner and core calls with the pipeline's settings.
import { tensorSpec } from '../identity/parts.mjs';

const YUNET_MAX_SIDE = 640;
const FACE_THRESHOLD = 0.6;
const OBJECT_THRESHOLD = 0.3;
const NMS_IOU = 0.45;
const SUBJECT_KINDS = new Set(['person', 'animal']);
const PASCAL_CLASSES = 21;
const REGION_MIN_SHARE = 0.01;   // of the frame: smaller foreground specks are not subjects

// -> [{faces: [det], subjects: [det]}] per image (IdentityFrame), boxes in frame pixels.
export async function detectAll(core, runner, images) {
  const { width, height } = images[0];
  const s = Math.min(1, YUNET_MAX_SIDE / Math.max(width, height));
  const faceSpec = tensorSpec(runner.spec('face_detector'), {
    width: Math.ceil((width * s) / 32) * 32,
    height: Math.ceil((height * s) / 32) * 32,
  });
  const objectSpec = tensorSpec(runner.spec('object_detector'));
  const out = [];
  for (const image of images) {
    const f = core.letterboxTensor(image, faceSpec);
    const fo = await runner.run('face_detector', f.tensor, [1, 3, faceSpec.height, faceSpec.width]);
    const faces = core.decodeYunet(Object.fromEntries(Object.entries(fo).map(([k, v]) => [k, v.data])), f.fit, FACE_THRESHOLD, NMS_IOU);
    const o = core.letterboxTensor(image, objectSpec);
    const oo = await runner.run('object_detector', o.tensor, [1, 3, objectSpec.height, objectSpec.width]);
    const objects = core.decodeYolox(Object.values(oo)[0].data, o.fit, OBJECT_THRESHOLD, NMS_IOU);
    out.push({ faces, subjects: objects.filter((d) => SUBJECT_KINDS.has(d.kind)) });
  }
  return out;
}

// The segmenter's connected foreground regions of one frame as detections of kind "object".
export async function foregroundRegions(core, runner, image) {
  const spec = tensorSpec(runner.spec('segmenter'));
  const t = core.cropTensor(image, [0, 0, image.width, image.height], spec);
  const logits = Object.values(await runner.run('segmenter', t, [1, spec.height, spec.width, 3]))[0].data;
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
