// The identity pipeline over sampled frames, shared by the browser Worker and Node:
//   locate the subject (YuNet faces, YOLOX-nano people/animals, DeepLabV3 foreground, centre)
//   -> crops to tensors (C++) -> networks (onnxruntime-web) (parts.mjs) -> per-frame fusion and
//   robust aggregation (C++) -> charid.embedding/1 payload (C++).
// `core` is the charid wasm module, `runner` from runner.mjs, `sampled` the media core's sample().
// The embedding model (charid-id@2 by default, charid-id@1 still available) decides the parts,
// their weights and the similarity rule, all read from its entry in the models manifest.
import { assertEmbeddingPayload } from '../schemas/embedding.mjs';
import { CharidError } from '../errors.mjs';
import { V1_RECIPES, frameParts, tensorSpec } from './parts.mjs';
import { modelSimilarity } from './similarity.mjs';

export { tensorSpec } from './parts.mjs';

// What `charid embed` and the page produce unless asked for another model.
export const DEFAULT_MODEL = 'charid-id@2';

const YUNET_MAX_SIDE = 640;
const FACE_THRESHOLD = 0.6;
const OBJECT_THRESHOLD = 0.3;
const NMS_IOU = 0.45;
const FOREGROUND_THRESHOLD = 0.5;

// Kept for callers that test `instanceof IdentityError`; it is a CharidError (branch on `code`).
export class IdentityError extends CharidError {}

function unwrap(result, what) {
  if (result && result.ok === false) throw new IdentityError(result.error.code, `${what}: ${result.error.message}`);
  return result;
}

async function detect(core, runner, frames, images) {
  const yunet = runner.spec('face_detector');
  const yolox = runner.spec('object_detector');
  const { width, height } = frames[0];
  const s = Math.min(1, YUNET_MAX_SIDE / Math.max(width, height));
  const faceSpec = tensorSpec(yunet, {
    width: Math.ceil((width * s) / 32) * 32,
    height: Math.ceil((height * s) / 32) * 32,
  });
  const objectSpec = tensorSpec(yolox);
  const detections = [];
  for (const image of images) {
    const f = core.letterboxTensor(image, faceSpec);
    const fo = await runner.run('face_detector', f.tensor, [1, 3, faceSpec.height, faceSpec.width]);
    const outputs = Object.fromEntries(Object.entries(fo).map(([k, v]) => [k, v.data]));
    const faces = core.decodeYunet(outputs, f.fit, FACE_THRESHOLD, NMS_IOU);
    const o = core.letterboxTensor(image, objectSpec);
    const oo = await runner.run('object_detector', o.tensor, [1, 3, objectSpec.height, objectSpec.width]);
    const objects = core.decodeYolox(Object.values(oo)[0].data, o.fit, OBJECT_THRESHOLD, NMS_IOU);
    detections.push({ width: image.width, height: image.height, objects, faces });
  }
  return detections;
}

async function foreground(core, runner, images) {
  const seg = runner.spec('segmenter');
  const spec = tensorSpec(seg);
  const out = [];
  for (const image of images) {
    const t = core.cropTensor(image, [0, 0, image.width, image.height], spec);
    const r = await runner.run('segmenter', t, [1, spec.height, spec.width, 3]);
    const d = core.foregroundDetection(Object.values(r)[0].data, spec.width, image.width, image.height, FOREGROUND_THRESHOLD);
    out.push({ width: image.width, height: image.height, objects: d ? [d] : [], faces: [] });
  }
  return out;
}

// The embedding entry of the manifest for `model`, its part recipes and its fusion layout
// ({parts: [{name, dims, weight}], facePart}).
export function embeddingModel(core, manifest, model) {
  const spec = manifest.embeddings?.find((e) => e.model === model);
  if (!spec && model === DEFAULT_MODEL) {
    // a model cache made before this model existed
    throw new IdentityError('models_unavailable', `the models manifest has no ${model} (run "npm run models")`);
  }
  if (!spec) throw new IdentityError('invalid_argument', `unknown embedding model ${model}`);
  if (!spec.parts?.every((p) => p.weight !== undefined)) {
    // charid-id@1: the layout and weights are the core's constants
    const layout = core.identityLayout();
    return { spec, recipes: V1_RECIPES, layout: { parts: layout.parts, facePart: 'face' } };
  }
  const facePart = spec.similarity?.face_part ?? spec.parts.find((p) => p.crop === 'face')?.name ?? '';
  return {
    spec,
    recipes: spec.parts,
    layout: { parts: spec.parts.map((p) => ({ name: p.name, dims: p.dims, weight: p.weight })), facePart },
  };
}

// The clip's vector from its frames' parts: per-frame fusion and robust aggregation (C++).
// parts: {name: [Float32Array | null per frame]}; frameWeights: one per frame.
export function fuseClip(core, layout, parts, frameWeights) {
  const n = frameWeights.length;
  const frameVectors = Array.from({ length: n }, (_, i) => unwrap(
    core.fuseParts(layout, layout.parts.map((p) => parts[p.name][i] ?? new Float32Array(0))), 'fusing a frame'));
  const agg = unwrap(core.aggregateParts(layout, frameVectors, frameWeights), 'aggregating frames');
  return { vector: agg.vector, kept: agg.kept, frameVectors };
}

// Sharper frames count more, relative to the clip's sharpest.
export function sharpnessWeights(frames) {
  const sharp = frames.map((f) => f.quality?.sharpness ?? 1);
  const maxSharp = Math.max(...sharp) || 1;
  return sharp.map((s) => 0.5 + 0.5 * (s / maxSharp));
}

// -> {payload (object), vector (Float32Array, aggregated, before quantisation), frameVectors
//     (one fused vector per sampled frame, same model and layout: the drift check and verify
//     --timeline score them), subject (choice), timings, and with keepParts the raw parts}
// options.source: the probe-contract view of sampled.source (the media layer's publicSource).
// options.extraRecipes: more parts to compute and return with keepParts (the benchmark's cache).
export async function embedSample(core, runner, sampled, { model = DEFAULT_MODEL, box = null, source = null, decodeMs = 0, startedAt = performance.now(), keepParts = false, extraRecipes = [] } = {}) {
  const frames = sampled.frames;
  if (!frames.length) throw new IdentityError('unreadable_input', 'no frames could be sampled from the window');
  const chosen = embeddingModel(core, runner.manifest, model);
  const images = frames.map((f) => new core.IdentityFrame(f.rgb, f.width, f.height));
  try {
    const warnings = [...sampled.warnings];
    const detectStart = performance.now();
    const detections = await detect(core, runner, frames, images);
    let subject = core.chooseSubject(detections, box);
    if (!subject.found) {
      subject = core.chooseSubject(await foreground(core, runner, images), null);
    }
    if (!subject.found) {
      warnings.push('no_subject_found');
      subject = {
        found: false,
        kind: 'unknown',
        boxes: images.map((im) => core.centreBox(im.width, im.height)),
        faces: images.map(() => null),
        multipleSubjects: false,
      };
    }
    if (subject.multipleSubjects && !box) warnings.push('multiple_subjects');
    const detectMs = performance.now() - detectStart;

    const embedStart = performance.now();
    const recipes = [...chosen.recipes, ...extraRecipes.filter((r) => !chosen.recipes.some((c) => c.name === r.name))];
    const frameWeights = sharpnessWeights(frames);
    const { parts, masked } = await frameParts(core, runner, images, subject, recipes, frameWeights);
    const fused = fuseClip(core, chosen.layout, parts, frameWeights);
    const embedMs = performance.now() - embedStart;
    const withFace = subject.faces.filter(Boolean).length;

    const [bx, by, bw, bh] = subject.boxes[0];
    const w0 = frames[0].width, h0 = frames[0].height;
    const timings = {
      decode: round(decodeMs),
      detect: round(detectMs),
      embed: round(embedMs),
      total: round(performance.now() - startedAt),
    };
    const json = core.payloadJson({
      model,
      vector: fused.vector,
      window: sampled.window,
      frames: frames.length,
      subject: { kind: subject.kind, box: [bx / w0, by / h0, bw / w0, bh / h0].map(round4) },
      sourceJson: JSON.stringify(source ?? sampled.source),
      qualityJson: JSON.stringify(publicQuality(sampled.quality, fused.kept.length, withFace)),
      warnings,
      timings,
    });
    const out = { payload: JSON.parse(json), vector: fused.vector, frameVectors: fused.frameVectors, subject, timings };
    if (keepParts) Object.assign(out, { parts, frameWeights, framesMasked: masked });
    return out;
  } finally {
    for (const im of images) im.delete();
  }
}

const round = (v) => Math.round(v * 10) / 10;
const round4 = (v) => Math.round(v * 1e4) / 1e4;

function publicQuality(q, framesKept, framesWithFace) {
  return {
    sharpness: q.sharpness,
    mean_luma: q.mean_luma,
    clipped_dark: q.clipped_dark,
    clipped_bright: q.clipped_bright,
    scene_cuts: q.scene_cuts,
    frames_kept: framesKept,
    frames_with_face: framesWithFace,
  };
}

// The embedding entry of the manifest for a payload's model, or an error.
function embeddingSpec(manifest, payload) {
  const spec = manifest.embeddings.find((e) => e.model === payload.model);
  if (!spec) throw new IdentityError('invalid_argument', `unknown embedding model ${payload.model}`);
  if (payload.dims !== spec.dims || payload.dtype !== spec.dtype) {
    throw new IdentityError('invalid_argument', `payload of ${payload.model} must have ${spec.dims} ${spec.dtype} values`);
  }
  return spec;
}

export function payloadVector(core, manifest, payload) {
  assertEmbeddingPayload(payload); // docs/schemas/charid.embedding-1.schema.json: invalid_argument naming the field
  embeddingSpec(manifest, payload);
  return unwrap(core.decodeVector(payload.vector, payload.dims, payload.scale), 'reading the vector');
}

// The similarity of two payloads under their model's rule (plain cosine for charid-id@1, the
// face-led rule of the manifest for charid-id@2) and the verdict at its calibrated threshold.
export function comparePayloads(core, manifest, a, b) {
  if (a.model !== b.model) {
    throw new IdentityError('invalid_argument', `vectors of different models cannot be compared (${a.model} vs ${b.model})`);
  }
  const spec = embeddingSpec(manifest, a);
  const va = payloadVector(core, manifest, a), vb = payloadVector(core, manifest, b);
  const similarity = spec.similarity
    ? modelSimilarity(spec, va, vb)
    : unwrap(core.cosine(va, vb), 'comparing');
  const threshold = spec.threshold;
  return {
    model: a.model,
    similarity,
    threshold,
    verdict: threshold === undefined ? 'uncalibrated' : similarity >= threshold ? 'same' : 'different',
  };
}
