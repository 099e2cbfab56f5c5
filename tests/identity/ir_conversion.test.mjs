// The project's model conversions, each checked on real crops from the fixture clips run through
// onnxruntime-web like the product, against an implementation that shares no code with it:
//   OpenVINO IR -> ONNX (models/derive/openvino_ir_to_onnx.py): an independent NumPy float64
//     forward pass of the IR (tests/identity/openvino_ir_reference.py); the face embedder on
//     aligned faces, the person re-ID model on YOLOX person boxes;
//   TF.js -> ONNX (models/derive/dlib_face_tfjs_to_onnx.py): @vladmandic/face-api's own
//     FaceRecognitionNet on TF.js's CPU backend (its bundle, fetched by npm as the models step does).
// All crops of a model go in one batch, which also checks that the converted graph (symbolic
// batch, shape-computing Reshapes) is right for N > 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, ensureModels, findPython, loadManifest, npmPackageFiles } from '../../models/fetch.mjs';
import { loadCore } from '../../lib/core_module.mjs';
import { sample } from '../../lib/media.mjs';
import { nodeRunner } from '../../lib/identity/node.mjs';
import { deleteFrames, detectFrames, identityFrames, tensorSpec } from '../../lib/identity/pipeline.mjs';
import * as ort from 'onnxruntime-web';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const clips = path.resolve(root, '../shared/fixtures/clips');

// Calls perCrop(core, runner, image) on `count` sampled frames of a clip; keeps what it returns.
async function cropsOf(clip, count, perCrop) {
  const core = await loadCore();
  const runner = await nodeRunner();
  const sampled = await sample(path.join(clips, clip), { allowLowRes: true, count });
  const out = [];
  for (const f of sampled.frames) {
    const [image] = identityFrames(core, [f]);
    try {
      const t = await perCrop(core, runner, image);
      if (t) out.push(t);
    } finally {
      deleteFrames([image]);
    }
  }
  return out;
}

// A YuNet face (the pipeline's detection stage) aligned into the tensor of `faceSpec` (default:
// the served face embedder's).
function alignedFace(faceSpec = null) {
  return async (core, runner, image) => {
    const [{ faces }] = await detectFrames(core, runner, [image]);
    return faces.length ? core.alignedFaceTensor(image, faces[0].landmarks, faceSpec ?? tensorSpec(runner.spec('face_embedder'))) : null;
  };
}

async function personCrop(core, runner, image) {
  const [{ objects }] = await detectFrames(core, runner, [image]);
  const person = objects.filter((d) => d.kind === 'person').sort((a, b) => b.score - a.score)[0];
  return person ? core.cropTensor(image, person.box, tensorSpec(runner.spec('person-reid-0277'))) : null;
}

// Runs run(tmpDir, inFile, outFile) over the batch written to a file; returns the Float32Array
// it wrote.
function throughFiles(input, run) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-conv-'));
  try {
    fs.writeFileSync(path.join(tmp, 'in.f32'), Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    run(tmp, path.join(tmp, 'in.f32'), path.join(tmp, 'out.f32'));
    const buf = fs.readFileSync(path.join(tmp, 'out.f32'));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// The IR's own forward pass in NumPy over the same batch: Float32Array [N * dims].
function irReference(irBase) {
  return (input) => throughFiles(input, (tmp, inFile, outFile) => {
    const ir = path.join(cacheDir, irBase);
    execFileSync(findPython(), [path.join(root, 'tests/identity/openvino_ir_reference.py'),
      `${ir}.xml`, `${ir}.bin`, inFile, outFile]);
  });
}

// face-api's FaceRecognitionNet in a child process (its bundle sets up TF.js globals): NCHW RGB
// 150x150 in, [N, 128] out. The bundle looks for a browser platform; a bare window/document is
// enough for it to use TF.js's CPU backend and plain tensors.
const FACE_API_CHILD = `
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({}) };
const [bundle, manifest, weights, inFile, outFile] = process.argv.slice(1);
const fs = await import('node:fs');
const faceapi = await import(bundle);
const tf = faceapi.tf;
await tf.setBackend('cpu');
const bin = fs.readFileSync(weights);
const specs = JSON.parse(fs.readFileSync(manifest, 'utf8'))[0].weights;
const net = new faceapi.FaceRecognitionNet();
net.loadFromWeightMap(tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), specs));
const b = fs.readFileSync(inFile);
const x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
const plane = 150 * 150, out = [];
for (let n = 0; n < x.length / (3 * plane); n++) {
  const hwc = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) hwc[p * 3 + c] = x[(n * 3 + c) * plane + p];
  out.push(...(await net.computeFaceDescriptor(tf.tensor3d(hwc, [150, 150, 3]))));
}
fs.writeFileSync(outFile, Buffer.from(new Float32Array(out).buffer));
`;

function faceApiReference(sourceId) {
  const source = loadManifest().models.find((m) => m.id === sourceId);
  const [manifestFile, weightsFile] = source.files.map((f) => path.join(cacheDir, f.file));
  const pkg = npmPackageFiles(source.files[0].npm);
  return (input) => throughFiles(input, (tmp, inFile, outFile) => {
    fs.writeFileSync(path.join(tmp, 'face-api.esm.mjs'), pkg.get('dist/face-api.esm.js'));
    execFileSync(process.execPath, ['--input-type=module', '-e', FACE_API_CHILD,
      path.join(tmp, 'face-api.esm.mjs'), manifestFile, weightsFile, inFile, outFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i], na += a[i] ** 2, nb += b[i] ** 2;
  return dot / Math.sqrt(na * nb);
}

// Runs `crops` through the converted model (runner key) and the reference; asserts agreement per
// crop and that the first and last crop (different people) are told apart. Returns the figures.
// `run(input, dims)` -> the converted model's output; `reference(input)` -> the other one's.
async function checkConversion({ key, run, reference, crops, chw, dims, apartBelow = 0.9 }) {
  const n = crops.length;
  const input = new Float32Array(n * chw.reduce((a, b) => a * b));
  crops.forEach((c, i) => input.set(c, i * c.length));
  const ref = reference(input);
  const got = await run(input, [n, ...chw]);
  assert.equal(got.length, n * dims);
  assert.equal(ref.length, n * dims);
  const figures = [];
  for (let i = 0; i < n; i++) {
    const g = got.subarray(i * dims, (i + 1) * dims), r = ref.subarray(i * dims, (i + 1) * dims);
    let maxDiff = 0, maxRef = 0;
    for (let j = 0; j < dims; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(g[j] - r[j]));
      maxRef = Math.max(maxRef, Math.abs(r[j]));
    }
    const c = cosine(g, r);
    assert.ok(c > 0.99999, `${key} crop ${i}: cosine ${c}`);
    assert.ok(maxDiff < 1e-3 * maxRef, `${key} crop ${i}: max difference ${maxDiff} of ${maxRef}`);
    figures.push({ cosine: c, maxDiff, maxRef });
  }
  // the crops are not all the same picture: two people give different embeddings
  const apart = cosine(ref.subarray(0, dims), ref.subarray((n - 1) * dims));
  assert.ok(apart < apartBelow, `${key}: two different people have cosine ${apart}`);
  return { figures, apart };
}

function report(t, key, { figures, apart }) {
  const worstCos = Math.min(...figures.map((f) => f.cosine));
  const worstRel = Math.max(...figures.map((f) => f.maxDiff / f.maxRef));
  t.diagnostic(`${key}: ${figures.length} crops, min cosine ${worstCos}, max |diff| / max |ref| ${worstRel.toExponential(2)}, two people ${apart.toFixed(3)}`);
}

test('converted face model matches a NumPy forward pass of the IR on real aligned faces', async (t) => {
  await ensureModels({ quiet: true });
  const crops = [
    ...(await cropsOf('headpose_woman_a.mp4', 2, alignedFace())),
    ...(await cropsOf('signer_yellow_a.mp4', 2, alignedFace())),
  ];
  assert.ok(crops.length >= 3, `expected real faces, found ${crops.length}`);
  report(t, 'face_embedder', await checkConversion({
    key: 'face_embedder', run: served('face_embedder'), reference: irReference('face-reidentification-retail-0095'),
    crops, chw: [3, 128, 128], dims: 256,
  }));
});

test('converted person re-ID 0277 matches a NumPy forward pass of the IR on real person crops', async (t) => {
  await ensureModels({ quiet: true });
  const crops = [
    ...(await cropsOf('signer_grey_a.mp4', 2, personCrop)),
    ...(await cropsOf('tos_whitecoat_a.mp4', 2, personCrop)),
  ];
  assert.ok(crops.length >= 3, `expected people, found ${crops.length}`);
  report(t, 'person-reid-0277', await checkConversion({
    key: 'person-reid-0277', run: served('person-reid-0277'), reference: irReference('person-reidentification-retail-0277'),
    crops, chw: [3, 256, 128], dims: 256,
  }));
});

test('converted dlib face model matches face-api\'s own TF.js network on real faces', async (t) => {
  await ensureModels({ quiet: true });
  const model = loadManifest().models.find((m) => m.id === 'dlib-face-resnet');
  if (!fs.existsSync(path.join(cacheDir, model.file))) {
    // a candidate model: the models step skips it when npm cannot fetch face-api
    t.skip(`${model.file} is not in the model cache (npm could not fetch its source)`);
    return;
  }
  const spec = tensorSpec(model);
  const crops = [
    ...(await cropsOf('headpose_woman_a.mp4', 2, alignedFace(spec))),
    ...(await cropsOf('signer_yellow_a.mp4', 2, alignedFace(spec))),
  ];
  assert.ok(crops.length >= 3, `expected real faces, found ${crops.length}`);
  const session = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(path.join(cacheDir, model.file))),
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const run = async (input, shape) => (await session.run({ [model.input.name]: new ort.Tensor('float32', input, shape) }))[model.output.name].data;
  report(t, model.id, await checkConversion({
    key: model.id, run, reference: faceApiReference(model.derived.from[0]), crops, chw: [3, 150, 150], dims: 128,
    // dlib's descriptors sit in a narrow cone (compared by Euclidean distance): two different
    // people here have a raw cosine near 0.92, one person's two frames 0.96-0.98
    apartBelow: 0.95,
  }));
});

// The runner's model (served, by key), as the product runs it.
function served(key) {
  return async (input, shape) => Object.values(await (await nodeRunner()).run(key, input, shape))[0].data;
}
