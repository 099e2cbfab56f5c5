// The identity pipeline over sampled frames, shared by the browser Worker and Node, one core call
// per stage (the C++ side holds every threshold, size rule and weight: src/identity/pipeline_policy.h):
//   frames -> detector tensors (detectionTensors) -> YuNet + YOLOX (onnxruntime-web) -> subject
//   (locateSubject; the segmenter and locateForeground when nothing is detected) -> part tensors
//   and networks (parts.mjs) -> the clip's vector (fuseClip) -> charid.embedding/1 (embeddingPayload).
// `core` is the charid wasm module, `runner` from runner.mjs, `sampled` the media core's sample().
// The embedding model (charid-id@2 by default, charid-id@1 still available) decides the parts,
// their weights and the similarity rule, all read from its entry in the models manifest.
import { assertEmbeddingPayload } from '../schemas/embedding.mjs';
import { IdentityError, frameParts, tensorSpec, unwrap, V1_RECIPES } from './parts.mjs';
import { modelSimilarity } from './similarity.mjs';

export { IdentityError, tensorSpec } from './parts.mjs';

// What `charid embed` and the page produce unless asked for another model.
export const DEFAULT_MODEL = 'charid-id@2';

// The sampled frames as the core's IdentityFrames; the caller deletes them (deleteFrames).
export function identityFrames(core, frames) {
  const images = [];
  try {
    for (const f of frames) images.push(unwrap(core.identityFrame(f.rgb, f.width, f.height), 'reading a sampled frame'));
  } catch (err) {
    deleteFrames(images);
    throw err;
  }
  return images;
}

export function deleteFrames(images) {
  for (const im of images) im?.delete();
}

// Both detectors on every frame -> the outputs list that locateSubject and decodeDetections read.
async function detectorOutputs(core, runner, images) {
  const faceSpec = tensorSpec(runner.spec('face_detector'));
  const objectSpec = tensorSpec(runner.spec('object_detector'));
  const out = [];
  for (const image of images) {
    const t = unwrap(core.detectionTensors(image, faceSpec, objectSpec), 'preparing the detectors');
    const face = await runner.run('face_detector', t.face.tensor, t.face.dims);
    const object = await runner.run('object_detector', t.object.tensor, t.object.dims);
    out.push({ width: image.width, height: image.height, faceFit: t.face.fit, objectFit: t.object.fit, face, object });
  }
  return out;
}

// Every detection of every frame, after the core's thresholds and NMS (the cast check follows
// them all). images: IdentityFrames -> [{width, height, faces: [det], objects: [det]}], boxes in
// frame pixels.
export async function detectFrames(core, runner, images) {
  return unwrap(core.decodeDetections(await detectorOutputs(core, runner, images)), 'reading the detectors').frames;
}

// The segmenter on every whole frame -> {outputs, size} for locateForeground.
async function foregroundOutputs(core, runner, images) {
  const spec = tensorSpec(runner.spec('segmenter'));
  const outputs = [];
  for (const image of images) {
    const t = unwrap(core.foregroundTensor(image, spec), 'preparing the segmenter');
    outputs.push({ width: image.width, height: image.height, segmenter: await runner.run('segmenter', t.tensor, t.dims) });
  }
  return { outputs, size: spec.width };
}

// The subject across the frames: {found, kind, boxes, faces, multipleSubjects, candidates,
// warnings}; the centre box (found false, warning no_subject_found) when neither the detectors
// nor the segmenter see one. box: the caller's [x, y, w, h] normalised on the first frame, or null.
export async function locateSubject(core, runner, images, box = null) {
  const subject = unwrap(core.locateSubject(await detectorOutputs(core, runner, images), box), 'choosing the subject');
  if (subject.found) return subject;
  const { outputs, size } = await foregroundOutputs(core, runner, images);
  return unwrap(core.locateForeground(outputs, size), 'choosing the subject');
}

// The embedding entry of the manifest for `model`, its part recipes and its fusion layout
// ({parts: [{name, dims, weight}], facePart}; null for charid-id@1, whose layout and weights are
// the core's constants).
export function embeddingModel(core, manifest, model) {
  const spec = manifest.embeddings?.find((e) => e.model === model);
  if (!spec && model === DEFAULT_MODEL) {
    // a model cache made before this model existed
    throw new IdentityError('models_unavailable', `the models manifest has no ${model} (run "npm run models")`);
  }
  if (!spec) throw new IdentityError('invalid_argument', `unknown embedding model ${model}`);
  if (!spec.parts?.every((p) => p.weight !== undefined)) return { spec, recipes: V1_RECIPES, layout: null };
  const facePart = spec.similarity?.face_part ?? spec.parts.find((p) => p.crop === 'face')?.name ?? '';
  return {
    spec,
    recipes: spec.parts,
    layout: { parts: spec.parts.map((p) => ({ name: p.name, dims: p.dims, weight: p.weight })), facePart },
  };
}

// The clip's vector from its frames' parts: per-frame fusion and robust aggregation, one core call.
// parts: {name: [Float32Array | null per frame]}; frameWeights: one per frame.
// -> {vector, kept (frame indices), frameVectors (one fused vector per frame)}
export function fuseClip(core, layout, parts, frameWeights) {
  const r = unwrap(core.fuseClip(layout, parts, Float64Array.from(frameWeights)), 'fusing the frames');
  return { vector: r.vector, kept: r.kept, frameVectors: r.frameVectors };
}

// Each frame's weight in the clip's vector and in the choice of key frames (the core's rule:
// sharper frames count more, relative to the clip's sharpest). -> Float64Array
export function sharpnessWeights(core, frames) {
  return unwrap(core.frameWeights(frames.map((f) => f.quality?.sharpness ?? Number.NaN)), 'weighing the frames');
}

// The charid.embedding/1 payload as an object, written by the core (nlohmann-json) from plain
// values. fields: {model, vector, window, frames, subject: {kind, box (normalised)}, source,
// quality, warnings, timings, backend}
export function writePayload(core, fields) {
  return JSON.parse(unwrap(core.embeddingPayload(fields), 'writing the payload').json);
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
  const images = identityFrames(core, frames);
  try {
    const detectStart = performance.now();
    const subject = await locateSubject(core, runner, images, box);
    const warnings = [...sampled.warnings, ...subject.warnings];
    const detectMs = performance.now() - detectStart;

    const embedStart = performance.now();
    const recipes = [...chosen.recipes, ...extraRecipes.filter((r) => !chosen.recipes.some((c) => c.name === r.name))];
    const frameWeights = sharpnessWeights(core, frames);
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
    const payload = writePayload(core, {
      model,
      vector: fused.vector,
      window: sampled.window,
      frames: frames.length,
      subject: { kind: subject.kind, box: [bx / w0, by / h0, bw / w0, bh / h0].map(round4) },
      source: source ?? sampled.source,
      quality: publicQuality(sampled.quality, fused.kept.length, withFace),
      warnings,
      timings,
      backend: typeof runner.backend === 'string' ? runner.backend : null, // what ran the networks (runner.mjs)
    });
    const out = { payload, vector: fused.vector, frameVectors: fused.frameVectors, subject, timings };
    if (keepParts) Object.assign(out, { parts, frameWeights: Array.from(frameWeights), framesMasked: masked });
    return out;
  } finally {
    deleteFrames(images);
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
