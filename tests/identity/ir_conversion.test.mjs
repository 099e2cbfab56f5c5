// The project's OpenVINO IR -> ONNX conversions (models/derive/openvino_ir_to_onnx.py), each
// checked against an independent NumPy float64 forward pass of the IR
// (tests/identity/openvino_ir_reference.py) on real crops from the fixture clips, run through
// onnxruntime-web like the product: the face embedder on aligned faces, the person re-ID model on
// YOLOX person boxes. All crops of a model go in one batch, which also checks that the converted
// graph (symbolic batch, shape-computing Reshapes) is right for N > 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels, findPython } from '../../models/fetch.mjs';
import { loadCore } from '../../lib/core_module.mjs';
import { sample } from '../../lib/media.mjs';
import { nodeRunner } from '../../lib/identity/node.mjs';
import { tensorSpec } from '../../lib/identity/pipeline.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const clips = path.resolve(root, '../shared/fixtures/clips');

// Calls perCrop(core, runner, image) on `count` sampled frames of a clip; keeps what it returns.
async function cropsOf(clip, count, perCrop) {
  const core = await loadCore();
  const runner = await nodeRunner();
  const sampled = await sample(path.join(clips, clip), { allowLowRes: true, count });
  const out = [];
  for (const f of sampled.frames) {
    const image = new core.IdentityFrame(f.rgb, f.width, f.height);
    try {
      const t = await perCrop(core, runner, image);
      if (t) out.push(t);
    } finally {
      image.delete();
    }
  }
  return out;
}

async function alignedFace(core, runner, image) {
  const spec = tensorSpec(runner.spec('face_detector'), { width: 640, height: 480 });
  const t = core.letterboxTensor(image, spec);
  const o = await runner.run('face_detector', t.tensor, [1, 3, 480, 640]);
  const dets = core.decodeYunet(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.data])), t.fit, 0.6, 0.45);
  return dets.length ? core.alignedFaceTensor(image, dets[0].landmarks, tensorSpec(runner.spec('face_embedder'))) : null;
}

async function personCrop(core, runner, image) {
  const spec = tensorSpec(runner.spec('object_detector'));
  const t = core.letterboxTensor(image, spec);
  const o = await runner.run('object_detector', t.tensor, [1, 3, spec.height, spec.width]);
  const person = core.decodeYolox(Object.values(o)[0].data, t.fit, 0.3, 0.45)
    .filter((d) => d.kind === 'person')
    .sort((a, b) => b.score - a.score)[0];
  return person ? core.cropTensor(image, person.box, tensorSpec(runner.spec('person-reid-0277'))) : null;
}

// The IR's own forward pass in NumPy over the same batch: Float32Array [N * dims].
function referenceOutputs(irBase, input) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-ir-'));
  try {
    fs.writeFileSync(path.join(tmp, 'in.f32'), Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    const ir = path.join(root, 'models', 'cache', irBase);
    execFileSync(findPython(), [path.join(root, 'tests/identity/openvino_ir_reference.py'),
      `${ir}.xml`, `${ir}.bin`, path.join(tmp, 'in.f32'), path.join(tmp, 'out.f32')]);
    const buf = fs.readFileSync(path.join(tmp, 'out.f32'));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i], na += a[i] ** 2, nb += b[i] ** 2;
  return dot / Math.sqrt(na * nb);
}

// Runs `crops` through the converted model (runner key) and the reference; asserts agreement per
// crop and that the first and last crop (different people) are told apart. Returns the figures.
async function checkConversion({ key, irBase, crops, chw, dims }) {
  const runner = await nodeRunner();
  const n = crops.length;
  const input = new Float32Array(n * chw.reduce((a, b) => a * b));
  crops.forEach((c, i) => input.set(c, i * c.length));
  const ref = referenceOutputs(irBase, input);
  const got = Object.values(await runner.run(key, input, [n, ...chw]))[0].data;
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
  assert.ok(apart < 0.9, `${key}: two different people have cosine ${apart}`);
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
    ...(await cropsOf('headpose_woman_a.mp4', 2, alignedFace)),
    ...(await cropsOf('signer_yellow_a.mp4', 2, alignedFace)),
  ];
  assert.ok(crops.length >= 3, `expected real faces, found ${crops.length}`);
  report(t, 'face_embedder', await checkConversion({
    key: 'face_embedder', irBase: 'face-reidentification-retail-0095', crops, chw: [3, 128, 128], dims: 256,
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
    key: 'person-reid-0277', irBase: 'person-reidentification-retail-0277', crops, chw: [3, 256, 128], dims: 256,
  }));
});
