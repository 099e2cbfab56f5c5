// The identity bindings refuse bad input with values, never a crash or a huge allocation
// (issue 14): frame sizes checked before allocating, empty or deleted frames, wrong part and
// output sizes, unknown rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelSimilarity } from '../../lib/identity/similarity.mjs';
import { loadCore } from '../../lib/core_module.mjs';

const spec = { width: 8, height: 4, layout: 'NCHW', colour: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], pad: 0 };

test('a frame whose size does not match its pixels, or is absurd, is refused before allocating', async () => {
  const core = await loadCore();
  for (const [w, h] of [[2e9, 2e9], [100000, 100000], [-4, 4], [0, 4], [3, 3], [1.5, 4], [Number.NaN, 2]]) {
    const f = core.identityFrame(new Uint8Array(12), w, h);
    assert.equal(f.ok, false, `${w}x${h}`);
    assert.equal(f.error.code, 'invalid_argument');
  }
  assert.equal(core.identityFrame(new Float32Array(12), 2, 2).ok, false, 'pixels are bytes');
  const ok = core.identityFrame(new Uint8Array(2 * 2 * 3), 2, 2);
  assert.equal(ok.width, 2);
  ok.delete();
  assert.equal(core.cropTensor(ok, [0, 0, 1, 1], spec).error.message, 'the frame was deleted');
});

test('an empty frame (the constructor given a wrong size) is refused by every stage, not read', async () => {
  const core = await loadCore();
  const f = new core.IdentityFrame(new Uint8Array(1), 5, 5);
  try {
    assert.equal(f.width, 0);
    for (const r of [
      core.cropTensor(f, [0, 0, 10, 10], spec),
      core.cropTensors([f], [[0, 0, 10, 10]], spec, 'box'),
      core.detectionTensors(f, spec, spec),
      core.maskFrames([f], [new Float32Array(21 * 4)], [[0, 0, 5, 5]], 2),
    ]) {
      assert.equal(r.ok, false);
      assert.match(r.error.message, /has no pixels/);
    }
  } finally {
    f.delete();
  }
});

test('fusion, masks and the similarity rule answer bad arguments with an error value', async () => {
  const core = await loadCore();
  const layout = { parts: [{ name: 'face', dims: 4, weight: 0.8 }, { name: 'body', dims: 4, weight: 0.6 }], facePart: 'face' };
  const bad = core.fuseClip(layout, { face: [new Float32Array(4)], body: [new Float32Array(3)] }, [1]);
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid_argument');
  const clip = core.fuseClip(layout, { face: [null], body: [Float32Array.of(1, 2, 3, 4)] }, [1]);
  const fused = clip.frameVectors[0];
  assert.equal(fused.length, 8);
  assert.deepEqual([...fused.slice(0, 4)], [0, 0, 0, 0]);
  assert.equal(core.fuseClip(layout, { face: [null], body: [Float32Array.of(1, 2, 3, 4)] }, [1, 1]).ok, false, 'one weight per frame');
  const frame = core.identityFrame(new Uint8Array(4 * 4 * 3), 4, 4);
  try {
    const masks = core.maskFrames([frame], [new Float32Array(21 * 4 - 1)], [[0, 0, 4, 4]], 2);
    assert.equal(masks.ok, false, 'logits of the wrong size');
  } finally {
    frame.delete();
  }
  const parts = [{ name: 'face', offset: 0, dims: 4 }, { name: 'body', offset: 4, dims: 4 }];
  const r = core.partSimilarity({ rule: 'nearest' }, parts, fused, fused);
  assert.equal(r.ok, false);
  const mismatch = core.partSimilarity({ rule: 'face_led', face_part: 'face', face_weight: 0.9 }, parts, fused, new Float32Array(7));
  assert.equal(mismatch.ok, false);
  const self = core.partSimilarity({ rule: 'face_led', face_part: 'face', face_weight: 0.9 }, parts, fused, fused);
  assert.ok(Math.abs(self - 1) < 1e-9);
  const outOfRange = core.partSimilarity({ rule: 'face_led', face_part: 'face', face_weight: 0.9, face_offset: 2 }, parts, fused, fused);
  assert.equal(outOfRange.ok, false);
  assert.equal(outOfRange.error.code, 'invalid_argument');
});

test('face_offset moves only the face-led branch, in the core and in the JS rule alike', async () => {
  const core = await loadCore();
  const parts = [{ name: 'face', offset: 0, dims: 4 }, { name: 'body', offset: 4, dims: 4 }];
  const a = Float32Array.of(0.5, 0.1, -0.2, 0.3, 0.4, 0.2, 0.1, -0.3);
  const b = Float32Array.of(0.1, 0.4, 0.2, -0.1, 0.3, -0.2, 0.4, 0.1);
  const faceless = Float32Array.of(0, 0, 0, 0, 0.3, -0.2, 0.4, 0.1);
  const rule = { rule: 'face_led', face_part: 'face', face_weight: 0.9 };
  const shifted = { ...rule, face_offset: 0.0575 };
  const plain = core.partSimilarity(rule, parts, a, b);
  assert.ok(Math.abs(core.partSimilarity(shifted, parts, a, b) - (plain + 0.0575)) < 1e-9);
  assert.equal(core.partSimilarity(shifted, parts, a, faceless), core.partSimilarity(rule, parts, a, faceless));
  assert.ok(Math.abs(core.partSimilarity(shifted, parts, a, a) - 1) < 1e-9, 'the same vector twice stays at 1');
  for (const [x, y] of [[a, b], [a, faceless], [a, a]]) {
    assert.ok(Math.abs(modelSimilarity({ parts, similarity: shifted }, x, y) - core.partSimilarity(shifted, parts, x, y)) < 1e-9);
  }
});

// Found by tests/wasm_api/identity_api_properties.test.mjs: a box of 1e308 (infinite as a float)
// made the square around it NaN, and the resampler read far outside the frame (memory access
// out of bounds). Now the binding refuses it, and the core fills NaN coordinates.
test('a box too large for float coordinates is refused, and the module keeps working', async () => {
  const core = await loadCore();
  const frame = core.identityFrame(new Uint8Array(4 * 4 * 3).fill(200), 4, 4);
  try {
    for (const r of [
      core.subjectMaskTensors([frame], [[0, 0, 1e308, 0]], spec),
      core.cropTensors([frame], [[0, 0, 1e308, 0]], spec, 'square'),
      core.cropTensor(frame, [Number.MAX_VALUE, 0, 1, 1], spec),
      core.colourDescriptors([frame], [[0, 0, 1e39, 1]]),
    ]) {
      assert.equal(r.ok, false);
      assert.match(r.error.message, /too large/);
    }
    // a finite box whose grown square overflows a float
    const huge = core.subjectMaskTensors([frame], [[0, 0, 3e38, 3e38]], spec);
    assert.equal(huge.ok, false);
    const t = core.cropTensors([frame], [[0, 0, 2, 2]], spec, 'square');
    assert.equal(t.ok, true);
    assert.ok(Math.abs(t.tensor[0] - (200 / 255 - spec.mean[0]) / spec.std[0]) < 1e-5);
  } finally {
    frame.delete();
  }
});
