// Property tests of the wasm module's identity API under Node (issue 14 "Fuzzing"): random and
// adversarial frames, sizes, typed arrays, NaNs, specs, boxes and model outputs for every identity
// export. Each call must answer a value or a typed error ({ok: false, error: {code, message}}),
// and the module must keep working for the next call.
//
// The inputs start from real ones: frames sampled from a fixture clip, the real detectors' and
// segmenter's outputs on them (onnxruntime-web, the served models), then mutated, cut, resized
// and mistyped. Bounded for `npm test` (about 40 s); CHARID_FUZZ_RUNS=N runs N cases per property
// without the time limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { loadCore } from '../../lib/core_module.mjs';
import { sample } from '../../lib/media.mjs';
import { nodeRunner } from '../../lib/identity/node.mjs';
import { deleteFrames, identityFrames, tensorSpec } from '../../lib/identity/pipeline.mjs';
import { ensureModels } from '../../models/fetch.mjs';
import { ERROR_CODES } from './media_inputs.mjs';

const LONG_RUNS = Number(process.env.CHARID_FUZZ_RUNS || 0);
const settings = (runs, seconds) => (LONG_RUNS > 0
  ? { numRuns: LONG_RUNS, includeErrorInReport: true }
  : { numRuns: runs, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, includeErrorInReport: true });

const clip = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/clips/signer_grey_a.mp4');

let core, images, real;
before(async () => {
  await ensureModels({ quiet: true });
  core = await loadCore();
  const runner = await nodeRunner();
  const sampled = await sample(clip, { allowLowRes: true, count: 2, maxShortSide: 96 });
  images = identityFrames(core, sampled.frames);
  const face = tensorSpec(runner.spec('face_detector'));
  const object = tensorSpec(runner.spec('object_detector'));
  const segmenter = tensorSpec(runner.spec('segmenter'));
  const t = core.detectionTensors(images[0], face, object);
  const f = core.foregroundTensor(images[0], segmenter);
  real = {
    frame: sampled.frames[0],
    specs: { face, object, segmenter, embed: tensorSpec(runner.spec('face_embedder')) },
    detector: {
      width: images[0].width, height: images[0].height, faceFit: t.face.fit, objectFit: t.object.fit,
      face: await runner.run('face_detector', t.face.tensor, t.face.dims),
      object: await runner.run('object_detector', t.object.tensor, t.object.dims),
    },
    segmenter: await runner.run('segmenter', f.tensor, f.dims),
  };
});
after(() => deleteFrames(images ?? []));

// -- the answer and the health check ---------------------------------------------------------

function assertAnswer(r, what) {
  if (r === null || typeof r !== 'object' || !('ok' in r)) return; // a value: Float32Array, number, frame
  if (r.ok === true) return;
  assert.equal(r.ok, false, `${what}: ok is ${r.ok}`);
  assert.ok(ERROR_CODES.has(r.error?.code), `${what}: error code ${r.error?.code}`);
  assert.equal(typeof r.error.message, 'string', what);
  assert.ok(r.error.message.length > 10, `${what}: message "${r.error.message}"`);
}

// Frames made by a call are deleted; a result's frames too (maskFrames).
function release(r) {
  if (r && typeof r.delete === 'function') r.delete();
  for (const m of r?.frames ?? []) if (m && typeof m.delete === 'function') m.delete();
}

// How often each export answered ok (CHARID_FUZZ_STATS=1 prints it): the properties must reach
// the success paths too, not only the first refusal.
const answered = new Map();
after(() => {
  if (process.env.CHARID_FUZZ_STATS) for (const [name, [ok, all]] of answered) console.log(`${name}: ${ok}/${all} ok`);
});

function call(name, ...args) {
  let r;
  try {
    r = core[name](...args);
  } catch (err) {
    assert.fail(`${name} threw instead of answering a value: ${err?.stack ?? err}`);
  }
  const [ok, all] = answered.get(name) ?? [0, 0];
  answered.set(name, [ok + (r?.ok === false ? 0 : 1), all + 1]);
  try {
    assertAnswer(r, name);
  } finally {
    release(r);
  }
  return r;
}

// The module still answers known calls correctly (it did not abort or corrupt its state).
function assertStillWorks() {
  assert.deepEqual([...core.frameWeights([2, 1])], [1, 0.75]);
  const t = core.cropTensor(images[0], [0, 0, 2, 2], { width: 1, height: 1, layout: 'NHWC', colour: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.ok(t instanceof Float32Array && t.length === 3, 'a plain crop failed after the call');
  const { rgb, width } = real.frame;
  const px = (x, y, c) => rgb[(y * width + x) * 3 + c];
  assert.ok(Math.abs(t[0] - (px(0, 0, 0) + px(1, 0, 0) + px(0, 1, 0) + px(1, 1, 0)) / 4) < 1e-3, 'the crop reads other pixels');
}

// -- arbitraries --------------------------------------------------------------------------------

const odd = fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, 0.5, 4096, 16385);
const junk = fc.oneof(odd, fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constant({}), fc.constant([]), fc.constant(() => 1), fc.constant(7n), fc.constant(Symbol('s')));
const number = fc.oneof({ weight: 5, arbitrary: fc.double({ min: -50, max: 500, noNaN: true }) }, { weight: 1, arbitrary: odd });
const size = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: odd }, { weight: 1, arbitrary: junk });

const floats = (max = 64) => fc.oneof(
  { weight: 4, arbitrary: fc.float32Array({ maxLength: max }) },
  fc.array(fc.oneof(fc.double(), odd), { maxLength: 12 }),
  fc.constantFrom(new Float64Array([1, NaN, 2]), new Int32Array(4), new BigInt64Array(2), new DataView(new ArrayBuffer(8))),
  junk,
);
const box = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.double({ min: -8, max: 80, noNaN: true }), fc.double({ min: -8, max: 60, noNaN: true }), fc.double({ min: 0, max: 90, noNaN: true }), fc.double({ min: 0, max: 90, noNaN: true })) },
  { weight: 2, arbitrary: fc.tuple(number, number, number, number) }, fc.array(number, { maxLength: 6 }), junk);
const triple = fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 300, noNaN: true }));
const validSpec = fc.record({
  width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }),
  layout: fc.constantFrom('NCHW', 'NHWC'), colour: fc.constantFrom('RGB', 'BGR'),
  scale: fc.double({ min: 0.001, max: 2, noNaN: true }), mean: triple, std: triple,
  pad: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 255 })),
});
const spec = fc.oneof(
  { weight: 6, arbitrary: validSpec },
  // one field made odd or mistyped
  { weight: 3, arbitrary: fc.tuple(validSpec, fc.constantFrom('width', 'height', 'layout', 'colour', 'scale', 'mean', 'std', 'pad'), fc.oneof(odd, junk, size)).map(([sp, k, v]) => ({ ...sp, [k]: v })) },
  fc.constantFrom({ width: 4096, height: 4096, layout: 'NCHW', colour: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
    { width: 4096, height: 2000, layout: 'NHWC', colour: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }),
  junk,
);

// A frame argument: a real frame, a deleted or empty one, or not a frame at all.
const frame = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(0, 1).map((i) => () => images[i]) },
  fc.constant(() => { const f = core.identityFrame(new Uint8Array(12), 2, 2); f.delete(); return f; }),
  fc.constant(() => new core.IdentityFrame(new Uint8Array(5), 9, 9)),
  junk.map((j) => () => j),
);
const frames = fc.oneof({ weight: 3, arbitrary: fc.array(fc.constantFrom(0, 1).map((i) => () => images[i]), { minLength: 1, maxLength: 3 }) }, fc.array(frame, { maxLength: 3 }), junk);
const use = (f) => (typeof f === 'function' ? f() : f);
const useAll = (list) => (Array.isArray(list) ? list.map(use) : list);
function cleanup(list) {
  for (const f of Array.isArray(list) ? list : [list]) {
    if (f && typeof f.delete === 'function' && !images.includes(f) && !f.isDeleted?.()) f.delete();
  }
}

// A real model output changed: values set to NaN or huge, cut, grown, or replaced.
const mutate = (data) => fc.tuple(fc.nat(5), fc.array(fc.tuple(fc.nat(), odd), { maxLength: 8 }), fc.nat()).map(([kind, edits, n]) => {
  if (kind === 1) return data.subarray(0, n % (data.length + 1));
  if (kind === 2) return Float32Array.from([...data.subarray(0, 16), 1, 2, 3]);
  if (kind === 3) return { data: 'not numbers' };
  const copy = data.slice();
  for (const [at, v] of edits) copy[at % copy.length] = v;
  return copy;
});
const detectorOutputs = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('cls_8', 'bbox_16', 'kps_32', 'obj_8'), fc.nat(3), fc.option(fc.record({ inputWidth: size, inputHeight: size, scale: number }))).chain(([name, which, fit]) =>
    mutate(which === 0 ? Object.values(real.detector.object)[0].data : real.detector.face[name].data).map((changed) => {
      const d = real.detector;
      return which === 0
        ? { ...d, object: { output: changed }, ...(fit ? { objectFit: fit } : {}) }
        : { ...d, face: { ...d.face, [name]: changed }, ...(fit ? { faceFit: fit } : {}) };
    })) },
  fc.constant(null).map(() => real.detector),
  fc.record({ width: size, height: size, faceFit: junk, objectFit: junk, face: junk, object: junk }, { requiredKeys: [] }),
  junk,
);

// -- properties ---------------------------------------------------------------------------------

test('frames and single-image resamplers answer every size, pixel array, box and spec', () => {
  // pixels that fit the size (most runs), a byte more or less, the wrong type, or anything
  const made = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.nat(5), fc.oneof(size, junk)).map(([w, h, kind, other]) => {
    const n = w * h * 3;
    if (kind <= 2) return [new Uint8Array(n).map((_, i) => i * 37), w, h];
    if (kind === 3) return [new Uint8Array(n + (other === 1 ? 1 : -1)), w, h];
    if (kind === 4) return [new Float32Array(n), w, h];
    return [new Uint8Array(n), other, h];
  });
  const landmarks = fc.oneof({ weight: 3, arbitrary: fc.array(fc.double({ min: -10, max: 60, noNaN: true }), { minLength: 10, maxLength: 10 }) }, fc.array(number, { maxLength: 12 }), junk);
  fc.assert(fc.property(made, frame, box, spec, landmarks, ([rgb, w, h], f, b, s, landmarks) => {
    call('identityFrame', rgb, w, h);
    const image = use(f);
    try {
      call('cropTensor', image, b, s);
      call('alignedFaceTensor', image, landmarks, s);
      call('colourDescriptor', image, b);
    } finally {
      cleanup(image);
    }
    assertStillWorks();
  }), settings(400, 8));
});

test('the locate stage answers every frame, spec and (mutated) detector or segmenter output', () => {
  const segmenterOutput = fc.oneof(
    { weight: 3, arbitrary: mutate(Object.values(real.segmenter)[0].data).map((d) => ({ logits: d })) },
    junk,
  );
  fc.assert(fc.property(frame, spec, spec, fc.array(detectorOutputs, { maxLength: 3 }), fc.oneof(box, fc.constant(null)), segmenterOutput, size, (f, fs, os, outputs, callerBox, seg, segSize) => {
    const image = use(f);
    try {
      call('detectionTensors', image, fs, os);
      call('foregroundTensor', image, fs);
    } finally {
      cleanup(image);
    }
    call('decodeDetections', outputs);
    const located = call('locateSubject', outputs, callerBox);
    if (located.ok) assert.equal(located.boxes.length, outputs.length, 'one box per frame');
    const entry = { width: real.detector.width, height: real.detector.height, segmenter: seg };
    call('locateForeground', [entry], segSize);
    call('locateForeground', [{ ...entry, segmenter: real.segmenter }], real.specs.segmenter.width);
    assertStillWorks();
  }), settings(250, 12));
});

test('the embed stage answers every frame list, box list, part, weight and payload field', () => {
  const layout = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ parts: [{ name: 'face', dims: 2, weight: 0.8 }, { name: 'body', dims: 3, weight: 0.6 }], facePart: 'face' }) },
    fc.constant(null),
    fc.record({ parts: fc.oneof(fc.array(fc.record({ name: fc.constantFrom('face', 'body', 'colour'), dims: size, weight: number }, { requiredKeys: [] }), { maxLength: 3 }), junk), facePart: fc.oneof(fc.constant('face'), junk) }, { requiredKeys: [] }),
    junk,
  );
  // parts for n frames of the layout above (most runs), or anything
  const partsFor = (n) => fc.oneof(
    { weight: 3, arbitrary: fc.record({
      face: fc.array(fc.oneof(fc.constant(null), fc.float32Array({ minLength: 2, maxLength: 2 })), { minLength: n, maxLength: n }),
      body: fc.array(fc.float32Array({ minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
    }) },
    fc.dictionary(fc.constantFrom('face', 'body', 'colour', 'x'), fc.array(fc.oneof(floats(8), fc.constant(null)), { maxLength: 3 })),
    junk,
  );
  const fields = fc.record({
    model: fc.oneof({ weight: 12, arbitrary: fc.constant('charid-id@2') }, junk),
    vector: fc.oneof({ weight: 12, arbitrary: fc.float32Array({ minLength: 1, maxLength: 16 }) }, floats(16)),
    window: fc.oneof({ weight: 12, arbitrary: fc.record({ start: fc.double({ min: 0, max: 10, noNaN: true }), end: fc.double({ min: 0, max: 20, noNaN: true }) }) }, fc.record({ start: number, end: number }), junk),
    frames: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 16 }) }, size),
    subject: fc.oneof({ weight: 12, arbitrary: fc.record({ kind: fc.constantFrom('person', 'face', 'unknown'), box: fc.tuple(...[0, 1, 2, 3].map(() => fc.double({ min: 0, max: 1, noNaN: true }))) }) }, fc.record({ kind: fc.constantFrom('person', 3), box }), junk),
    source: fc.oneof({ weight: 12, arbitrary: fc.object({ maxDepth: 2 }) }, fc.anything({ maxDepth: 3 }), fc.constant({ codec: 'h264', f: () => 1 }), fc.constant({ deep: [[[[[[[[[[[1]]]]]]]]]]] })),
    quality: fc.oneof({ weight: 12, arbitrary: fc.object({ maxDepth: 2 }) }, junk),
    warnings: fc.oneof({ weight: 12, arbitrary: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }) }, junk),
    timings: fc.oneof({ weight: 12, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.double({ min: 0, max: 1e5, noNaN: true })) }, fc.dictionary(fc.string({ maxLength: 6 }), number), junk),
    backend: fc.oneof(fc.constant(undefined), fc.constant('webgpu+wasm'), junk),
  }, { requiredKeys: [] });
  const stage = fc.integer({ min: 1, max: 3 }).chain((n) => fc.record({
    n: fc.constant(n),
    list: fc.oneof({ weight: 4, arbitrary: fc.array(fc.constantFrom(0, 1).map((i) => () => images[i]), { minLength: n, maxLength: n }) }, frames),
    boxes: fc.oneof({ weight: 4, arbitrary: fc.array(box, { minLength: n, maxLength: n }) }, fc.array(box, { maxLength: 4 }), junk),
    landmarks: fc.oneof({ weight: 3, arbitrary: fc.array(fc.array(fc.double({ min: -5, max: 60, noNaN: true }), { minLength: 10, maxLength: 10 }), { minLength: n, maxLength: n }) }, fc.array(box, { maxLength: 3 }), junk),
    logits: fc.oneof({ weight: 3, arbitrary: fc.array(fc.float32Array({ minLength: 84, maxLength: 84 }), { minLength: n, maxLength: n }) }, fc.array(floats(21 * 4), { maxLength: 3 }), junk),
    weights: fc.oneof({ weight: 4, arbitrary: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }) }, floats(4)),
    parts: partsFor(n),
  }));
  fc.assert(fc.property(stage, spec, fc.constantFrom('box', 'square', 'square', 'face', 1), layout, fields, ({ list: fl, boxes, landmarks, logits, weights, parts }, s, crop, l, payload) => {
    const list = useAll(fl);
    try {
      call('subjectMaskTensors', list, boxes, s);
      call('maskFrames', list, logits, boxes, 2);
      call('cropTensors', list, boxes, s, crop);
      call('alignedFaceTensors', list, landmarks, s);
      call('colourDescriptors', list, boxes);
    } finally {
      cleanup(list);
    }
    call('frameWeights', weights);
    const clip = call('fuseClip', l, parts, weights);
    if (clip.ok) assert.equal(clip.frameVectors.length, weights.length, 'one vector per frame');
    const written = call('embeddingPayload', payload);
    if (written.ok) assert.equal(JSON.parse(written.json).schema, 'charid.embedding/1');
    assertStillWorks();
  }), settings(300, 12));
});

test('the vector maths answers every rule, part list, vector and base64 text', () => {
  const rule = fc.oneof(
    { weight: 3, arbitrary: fc.record({ rule: fc.constantFrom('cosine', 'face_led'), face_part: fc.constant('face'), face_weight: fc.double({ min: 0, max: 1, noNaN: true }) }) },
    fc.record({ rule: fc.constantFrom('cosine', 'face_led', 'nearest', 3), face_part: fc.oneof(fc.constant('face'), junk), face_weight: number, face_offset: fc.oneof(number, fc.constant(undefined)) }, { requiredKeys: [] }),
    junk);
  const partList = fc.oneof(
    { weight: 3, arbitrary: fc.constant([{ name: 'face', offset: 0, dims: 2 }, { name: 'body', offset: 2, dims: 2 }]) },
    fc.array(fc.record({ name: fc.constantFrom('face', 'body'), offset: size, dims: size }, { requiredKeys: [] }), { maxLength: 3 }), junk);
  const vec = fc.oneof({ weight: 3, arbitrary: fc.float32Array({ minLength: 4, maxLength: 4 }) }, floats(8));
  // a real vector's base64 (most runs) with its dims and scale, or anything
  const textAndDims = fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 1, maxLength: 12 }).map((v) => [Buffer.from(Int8Array.from(v).buffer).toString('base64'), v.length]) },
    fc.tuple(fc.oneof(fc.base64String({ maxLength: 24 }), fc.string({ maxLength: 12 }), junk), fc.oneof(fc.integer({ min: 1, max: 12 }), size)));
  // cosine is lenient on purpose (tests/web/core_module.test.mjs): numbers only here
  const plain = fc.oneof(fc.float32Array({ maxLength: 8 }), fc.array(fc.oneof(fc.double(), odd), { maxLength: 8 }));
  fc.assert(fc.property(rule, partList, vec, vec, textAndDims, fc.oneof(fc.double({ min: 1e-4, max: 1, noNaN: true }), number), plain, plain, (r, parts, a, b, [t, dims], scale, ca, cb) => {
    call('partSimilarity', r, parts, a, b);
    const d = call('decodeVector', t, dims, scale);
    if (d instanceof Float32Array) assert.equal(d.length, dims);
    call('cosine', ca, cb);
    assertStillWorks();
  }), settings(500, 6));
});
