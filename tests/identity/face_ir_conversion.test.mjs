// The project's OpenVINO IR -> ONNX conversion of the face embedder, checked against an
// independent NumPy forward pass of the IR (tests/identity/openvino_ir_reference.py) on real
// aligned faces from the fixture clips, run through onnxruntime-web like the product.
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

async function alignedFaces(core, runner, clip, count) {
  const sampled = await sample(path.join(clips, clip), { allowLowRes: true, count });
  const spec = tensorSpec(runner.spec('face_detector'), { width: 640, height: 480 });
  const faceSpec = tensorSpec(runner.spec('face_embedder'));
  const out = [];
  for (const f of sampled.frames) {
    const image = new core.IdentityFrame(f.rgb, f.width, f.height);
    try {
      const t = core.letterboxTensor(image, spec);
      const o = await runner.run('face_detector', t.tensor, [1, 3, 480, 640]);
      const dets = core.decodeYunet(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.data])), t.fit, 0.6, 0.45);
      if (dets.length) out.push(core.alignedFaceTensor(image, dets[0].landmarks, faceSpec));
    } finally {
      image.delete();
    }
  }
  return out;
}

test('converted face model matches a NumPy forward pass of the IR on real aligned faces', async () => {
  await ensureModels({ quiet: true });
  const core = await loadCore();
  const runner = await nodeRunner();
  const faces = [
    ...(await alignedFaces(core, runner, 'headpose_woman_a.mp4', 2)),
    ...(await alignedFaces(core, runner, 'signer_yellow_a.mp4', 2)),
  ];
  assert.ok(faces.length >= 3, `expected real faces, found ${faces.length}`);
  const input = new Float32Array(faces.length * 3 * 128 * 128);
  faces.forEach((f, i) => input.set(f, i * f.length));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-ir-'));
  try {
    fs.writeFileSync(path.join(tmp, 'in.f32'), Buffer.from(input.buffer));
    const ir = path.join(root, 'models', 'cache', 'face-reidentification-retail-0095');
    execFileSync(findPython(), [path.join(root, 'tests/identity/openvino_ir_reference.py'),
      `${ir}.xml`, `${ir}.bin`, path.join(tmp, 'in.f32'), path.join(tmp, 'out.f32')]);
    const buf = fs.readFileSync(path.join(tmp, 'out.f32'));
    const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const got = Object.values(await runner.run('face_embedder', input, [faces.length, 3, 128, 128]))[0].data;
    assert.equal(got.length, ref.length);
    const d = 256;
    for (let n = 0; n < faces.length; n++) {
      let dot = 0, na = 0, nb = 0, maxDiff = 0, maxRef = 0;
      for (let i = n * d; i < (n + 1) * d; i++) {
        dot += got[i] * ref[i], na += got[i] ** 2, nb += ref[i] ** 2;
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
        maxRef = Math.max(maxRef, Math.abs(ref[i]));
      }
      assert.ok(dot / Math.sqrt(na * nb) > 0.99999, `face ${n}: cosine ${dot / Math.sqrt(na * nb)}`);
      assert.ok(maxDiff < 1e-3 * maxRef, `face ${n}: max difference ${maxDiff} of ${maxRef}`);
    }
    // and the faces are not all the same picture: two people give different embeddings
    let dot = 0, na = 0, nb = 0;
    const last = (faces.length - 1) * d;
    for (let i = 0; i < d; i++) dot += ref[i] * ref[last + i], na += ref[i] ** 2, nb += ref[last + i] ** 2;
    assert.ok(dot / Math.sqrt(na * nb) < 0.9);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
