// The identity pipeline over sampled frames, shared by the browser Worker and Node:
//   locate the subject (YuNet faces, YOLOX-nano people/animals, DeepLabV3 foreground, centre)
//   -> crops to tensors (C++) -> networks (onnxruntime-web) -> per-frame fusion and robust
//   aggregation (C++) -> charid.embedding/1 payload (C++).
// `core` is the charid wasm module, `runner` from runner.mjs, `sampled` the media core's sample().

const YUNET_MAX_SIDE = 640;
const FACE_THRESHOLD = 0.6;
const OBJECT_THRESHOLD = 0.3;
const NMS_IOU = 0.45;
const FOREGROUND_THRESHOLD = 0.5;

export class IdentityError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'IdentityError';
    this.code = code;
  }
}

function unwrap(result, what) {
  if (result && result.ok === false) throw new IdentityError(result.error.code, `${what}: ${result.error.message}`);
  return result;
}

// The manifest's input description as the core's tensor spec, with an optional size override.
export function tensorSpec(model, size = {}) {
  const i = model.input;
  const nchw = i.layout !== 'NHWC';
  const [h, w] = nchw ? i.shape.slice(2, 4) : i.shape.slice(1, 3);
  return {
    width: size.width ?? w,
    height: size.height ?? h,
    layout: i.layout,
    colour: i.colour,
    scale: i.scale,
    mean: i.mean,
    std: i.std,
    pad: i.pad_value ?? 0,
  };
}

function concat(arrays) {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

// Rows of a [N, D, ...] output as N Float32Arrays.
function rows(output, n) {
  const d = output.data.length / n;
  return Array.from({ length: n }, (_, i) => output.data.slice(i * d, (i + 1) * d));
}

// A square box around `box` (the square a classifier expects), same centre.
function squareBox([x, y, w, h]) {
  const side = Math.max(w, h);
  return [x + w / 2 - side / 2, y + h / 2 - side / 2, side, side];
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

// -> {payload (object), vector (Float32Array, aggregated, before quantisation), frameVectors,
//     subject (choice), timings}
// options.source: the probe-contract view of sampled.source (the media layer's publicSource).
export async function embedSample(core, runner, sampled, { box = null, source = null, decodeMs = 0, startedAt = performance.now() } = {}) {
  const frames = sampled.frames;
  if (!frames.length) throw new IdentityError('unreadable_input', 'no frames could be sampled from the window');
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
    const n = images.length;
    const osnetModel = runner.spec('osnet-x0_25-msmt17');
    const mnv2Model = runner.spec('mobilenetv2-gem');
    const faceModel = runner.spec('face_embedder');
    const osnetSpec = tensorSpec(osnetModel);
    const mnv2Spec = tensorSpec(mnv2Model);
    const faceSpec = tensorSpec(faceModel);
    const osnetIn = concat(images.map((im, i) => core.cropTensor(im, subject.boxes[i], osnetSpec)));
    const osnet = rows(Object.values(await runner.run('osnet-x0_25-msmt17', osnetIn, [n, 3, osnetSpec.height, osnetSpec.width]))[0], n);
    const mnv2In = concat(images.map((im, i) => core.cropTensor(im, squareBox(subject.boxes[i]), mnv2Spec)));
    const mnv2 = rows(Object.values(await runner.run('mobilenetv2-gem', mnv2In, [n, 3, mnv2Spec.height, mnv2Spec.width]))[0], n);
    const withFace = subject.faces.map((f, i) => (f ? i : -1)).filter((i) => i >= 0);
    const faces = new Array(n).fill(null);
    if (withFace.length) {
      const faceIn = concat(withFace.map((i) => core.alignedFaceTensor(images[i], subject.faces[i].landmarks, faceSpec)));
      const faceOut = rows(Object.values(await runner.run('face_embedder', faceIn, [withFace.length, 3, faceSpec.height, faceSpec.width]))[0], withFace.length);
      withFace.forEach((frameIndex, k) => { faces[frameIndex] = faceOut[k]; });
    }
    const frameVectors = images.map((im, i) => unwrap(
      core.fuseFrame(osnet[i], mnv2[i], faces[i], core.colourDescriptor(im, subject.boxes[i])), 'fusing a frame'));
    // sharper frames count more, relative to the clip's sharpest
    const sharp = frames.map((f) => f.quality?.sharpness ?? 1);
    const maxSharp = Math.max(...sharp) || 1;
    const weights = sharp.map((s) => 0.5 + 0.5 * (s / maxSharp));
    const agg = unwrap(core.aggregateIdentity(frameVectors, weights), 'aggregating frames');
    const embedMs = performance.now() - embedStart;

    const [bx, by, bw, bh] = subject.boxes[0];
    const w0 = frames[0].width, h0 = frames[0].height;
    const timings = {
      decode: round(decodeMs),
      detect: round(detectMs),
      embed: round(embedMs),
      total: round(performance.now() - startedAt),
    };
    const json = core.payloadJson({
      vector: agg.vector,
      window: sampled.window,
      frames: frames.length,
      subject: { kind: subject.kind, box: [bx / w0, by / h0, bw / w0, bh / h0].map(round4) },
      sourceJson: JSON.stringify(source ?? sampled.source),
      qualityJson: JSON.stringify(publicQuality(sampled.quality, agg.kept.length, withFace.length)),
      warnings,
      timings,
    });
    return { payload: JSON.parse(json), vector: agg.vector, frameVectors, subject, timings };
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
  if (payload?.schema !== 'charid.embedding/1') {
    throw new IdentityError('invalid_argument', 'not a charid.embedding/1 payload');
  }
  embeddingSpec(manifest, payload);
  return unwrap(core.decodeVector(payload.vector, payload.dims, payload.scale), 'reading the vector');
}

// Cosine of two payloads and the verdict at the calibrated threshold of their model.
export function comparePayloads(core, manifest, a, b) {
  if (a.model !== b.model) {
    throw new IdentityError('invalid_argument', `vectors of different models cannot be compared (${a.model} vs ${b.model})`);
  }
  const spec = embeddingSpec(manifest, a);
  const similarity = unwrap(core.cosine(payloadVector(core, manifest, a), payloadVector(core, manifest, b)), 'comparing');
  const threshold = spec.threshold;
  return {
    model: a.model,
    similarity,
    threshold,
    verdict: threshold === undefined ? 'uncalibrated' : similarity >= threshold ? 'same' : 'different',
  };
}
