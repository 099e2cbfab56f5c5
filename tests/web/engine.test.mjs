// The engine's pieces that run without a browser: the models' URL under a registry with a path,
// the synchronous compare (lib/identity's rule over the JS vector maths) held to the wasm core's
// answers on the same payloads, and the local cards surviving a full localStorage.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadCore, wasmDir } from '../../lib/core_module.mjs';
import { comparePayloads } from '../../lib/identity/pipeline.mjs';
import { loadTs } from './ts.mjs';

const E = await loadTs('web/src/engine.ts');
const V = await loadTs('web/src/vector_math.ts');
const C = await loadTs('web/src/page/local_cards.ts');
const coreBuilt = existsSync(join(wasmDir(), 'charid-core.wasm')) && existsSync(join(wasmDir(), 'charid-core.mjs'));

test('the models live under the registry, its path kept', () => {
  assert.equal(E.modelBaseOf('https://ids.example/charid', 'https://editor.example/app/'), 'https://ids.example/charid/models/');
  assert.equal(E.modelBaseOf('https://ids.example/charid/', 'https://editor.example/app/'), 'https://ids.example/charid/models/');
  assert.equal(E.modelBaseOf('https://ids.example', 'https://editor.example/app/'), 'https://ids.example/models/');
  assert.equal(E.modelBaseOf('', 'https://ids.example/app/?threads=1'), 'https://ids.example/models/');
});

const b64 = (bytes) => Buffer.from(Int8Array.from(bytes).buffer).toString('base64');
const payload = (bytes, scale) => ({ schema: 'charid.embedding/1', model: 'charid-id@1', dims: bytes.length, dtype: 'int8', scale, vector: b64(bytes) });

test('compare on the page scores exactly as lib/identity does with the wasm core', { skip: !coreBuilt && 'the wasm core is not built' }, async () => {
  const core = await loadCore();
  const dims = 64;
  const manifest = { embeddings: [{ model: 'charid-id@1', dims, dtype: 'int8', threshold: 0.6 }] };
  const vector = fc.array(fc.integer({ min: -128, max: 127 }), { minLength: dims, maxLength: dims });
  const scale = fc.float({ min: Math.fround(1e-4), max: 1, noNaN: true });
  fc.assert(fc.property(vector, vector, scale, scale, (a, b, sa, sb) => {
    const pa = payload(a, sa), pb = payload(b, sb);
    const js = comparePayloads(V.vectorMath, manifest, pa, pb);
    const wasm = comparePayloads(core, manifest, pa, pb);
    assert.equal(js.verdict, wasm.verdict);
    assert.ok(Math.abs(js.similarity - wasm.similarity) < 1e-6, `${js.similarity} vs ${wasm.similarity}`);
  }), { numRuns: 200 });
  // the same refusals, as error values
  for (const [text, dims2, s] of [['AAE', 2, 1], ['AA*=', 2, 1], ['AAEC', 2, 1], ['AAE=', 2, 0], ['AAE=', 2, Number.NaN]]) {
    const js = V.vectorMath.decodeVector(text, dims2, s);
    const wasm = core.decodeVector(text, dims2, s);
    assert.equal(js.ok, false, `${text} ${dims2} ${s}`);
    assert.equal(wasm.ok, false, `${text} ${dims2} ${s}`);
    assert.equal(js.error.message, wasm.error.message);
  }
  assert.deepEqual(core.cosine(new Float32Array(3), new Float32Array(4)).error, V.vectorMath.cosine(new Float32Array(3), new Float32Array(4)).error);
  assert.throws(() => comparePayloads(V.vectorMath, manifest, payload([1, 2], 1), payload([1, 2], 1)), /must have 64 int8 values/);
});

test('a full localStorage keeps what it can and never throws', () => {
  const data = new Map();
  let room = Infinity;
  globalThis.localStorage = {
    getItem: (k) => data.get(k) ?? null,
    setItem(k, v) {
      if (v.length > room) throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
      data.set(k, v);
    },
    removeItem: (k) => data.delete(k),
  };
  try {
    const card = { payload: { vector: 'AAAA' }, thumbnails: ['data:image/jpeg;base64,' + 'x'.repeat(5000)], name: 'Mira', model: 'charid-id@1' };
    assert.equal(C.saveLocal('char_a', card), 'card');
    assert.equal(C.keptNote('card'), null);
    room = 8000; // room for one set of pictures (char_a's), not two
    assert.equal(C.saveLocal('char_b', card), 'card_without_thumbnails');
    assert.deepEqual(C.localCards().char_b.thumbnails, []);
    room = 10;
    assert.equal(C.saveLocal('char_c', card), 'nothing');
    assert.match(C.keptNote('nothing'), /storage is full/);
    assert.equal(C.localCards().char_c, undefined);
    C.dropLocal('char_a'); // a full storage does not make a delete throw either
  } finally {
    delete globalThis.localStorage;
  }
});
