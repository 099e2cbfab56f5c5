// The identity bindings refuse bad input with values, never a crash or a huge allocation
// (issue 14): frame sizes checked before allocating, empty frames, wrong part sizes, unknown rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelSimilarity } from '../../lib/identity/similarity.mjs';
import { loadCore } from '../../lib/core_module.mjs';

const spec = { width: 8, height: 4, layout: 'NCHW', colour: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], pad: 0 };

test('a frame whose size does not match its pixels, or is absurd, is invalid and not allocated', async () => {
  const core = await loadCore();
  for (const [w, h] of [[2e9, 2e9], [100000, 100000], [-4, 4], [0, 4], [3, 3]]) {
    const f = new core.IdentityFrame(new Uint8Array(12), w, h);
    try {
      assert.equal(f.valid(), false, `${w}x${h}`);
    } finally {
      f.delete();
    }
  }
  const ok = new core.IdentityFrame(new Uint8Array(2 * 2 * 3), 2, 2);
  assert.equal(ok.valid(), true);
  ok.delete();
});

test('crops of an invalid (empty) frame are the fill value, not memory outside the frame', async () => {
  const core = await loadCore();
  const f = new core.IdentityFrame(new Uint8Array(1), 5, 5);
  try {
    const t = core.cropTensor(f, [0, 0, 10, 10], spec);
    assert.equal(t.length, 8 * 4 * 3);
    for (let c = 0; c < 3; c++) {
      const black = -spec.mean[c] / spec.std[c];
      for (let i = 0; i < 32; i++) assert.ok(Math.abs(t[c * 32 + i] - black) < 1e-5);
    }
    assert.equal(core.maskFrame(f, new Float32Array(21 * 4), 2, [0, 0, 5, 5], 0.05), null);
  } finally {
    f.delete();
  }
});

test('fusion, masks and the similarity rule answer bad arguments with an error value', async () => {
  const core = await loadCore();
  const layout = { parts: [{ name: 'face', dims: 4, weight: 0.8 }, { name: 'body', dims: 4, weight: 0.6 }], facePart: 'face' };
  const bad = core.fuseParts(layout, [new Float32Array(4), new Float32Array(3)]);
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid_argument');
  const fused = core.fuseParts(layout, [new Float32Array(0), Float32Array.of(1, 2, 3, 4)]);
  assert.equal(fused.length, 8);
  assert.deepEqual([...fused.slice(0, 4)], [0, 0, 0, 0]);
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
