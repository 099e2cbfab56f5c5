// The one loader of the wasm core (lib/core_module.mjs) under Node: a missing build is a typed
// error, a module that aborted is dropped so that the next loadCore() gives a working one, and
// the two variants ('full', 'demux') are separate modules, each cached and replaced on its own.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CharidError } from '../../lib/errors.mjs';
import { CORE_FILES, hasSimd, isCoreAbort, loadCore, wasmDir } from '../../lib/core_module.mjs';
import { openReader } from '../../lib/media.mjs';

const isBuilt = (variant) => ['mjs', 'wasm'].every((ext) => existsSync(join(wasmDir(), `${CORE_FILES[variant]}.${ext}`)));
const built = isBuilt('full');
const bothBuilt = built && isBuilt('demux');
const clip = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'clips', 'bunny_a.mp4');

test('SIMD is detected (wasm-feature-detect), asynchronously', async () => {
  const answer = hasSimd();
  assert.ok(answer instanceof Promise);
  assert.equal(await answer, true); // Node 20 has wasm SIMD
});

test('an unknown variant is an invalid_argument CharidError naming the variants', async () => {
  await assert.rejects(loadCore({ variant: 'tiny' }), (err) => err instanceof CharidError && err.code === 'invalid_argument' && /full and demux/.test(err.message));
});

test('a core that is not built is a models_unavailable CharidError, and a later call can still load', { skip: !built && 'the wasm core is not built' }, async () => {
  const empty = mkdtempSync(join(tmpdir(), 'charid-nocore-'));
  const saved = process.env.CHARID_WASM_DIR;
  process.env.CHARID_WASM_DIR = empty;
  try {
    await assert.rejects(loadCore(), (err) => err instanceof CharidError && err.code === 'models_unavailable' && err.message.includes(empty));
    await assert.rejects(loadCore({ variant: 'demux' }), (err) => err.code === 'models_unavailable' && err.message.includes('charid-core-demux'));
  } finally {
    if (saved === undefined) delete process.env.CHARID_WASM_DIR;
    else process.env.CHARID_WASM_DIR = saved;
    rmSync(empty, { recursive: true, force: true });
  }
  const core = await loadCore(); // the failure was not cached
  assert.equal(core.cosine(new Float32Array([1, 0]), new Float32Array([1, 0])), 1);
});

test('a module that aborted is replaced by the next loadCore()', { skip: !built && 'the wasm core is not built' }, async () => {
  const first = await loadCore();
  assert.equal(await loadCore(), first, 'one module while it lives');
  // An array-like of 300M floats makes the binding allocate 1.2 GB, over the 1 GiB ceiling:
  // the allocation fails and the module aborts (what a hostile size did before it was checked).
  let died;
  try {
    first.cosine({ length: 3e8 }, { length: 3e8 });
  } catch (err) {
    died = err;
  }
  assert.ok(died, 'the call should have aborted the module');
  assert.equal(isCoreAbort(died), true, String(died));
  assert.equal(isCoreAbort(new CharidError('invalid_argument', 'a caller mistake')), false);
  const second = await loadCore();
  assert.notEqual(second, first);
  assert.equal(second.cosine(new Float32Array([0, 2]), new Float32Array([0, 1])), 1);
});

test('the demux core is a separate, smaller module without decoders; an abort replaces only it', { skip: !bothBuilt && 'the two wasm cores are not built' }, async () => {
  const size = (variant) => statSync(join(wasmDir(), `${CORE_FILES[variant]}.wasm`)).size;
  assert.ok(size('demux') < size('full') / 2, `demux ${size('demux')} B vs full ${size('full')} B`);
  const full = await loadCore({ variant: 'full' });
  const demux = await loadCore({ variant: 'demux' });
  assert.notEqual(demux, full);
  assert.equal(await loadCore({ variant: 'demux' }), demux, 'one demux module while it lives');
  assert.equal(await loadCore(), full, "'full' is the default");
  // The identity code is there, and works like the full core's.
  const a = new Float32Array([0.3, -1, 2]);
  const b = new Float32Array([1, 0.5, 0.25]);
  assert.equal(demux.cosine(a, b), full.cosine(a, b));
  // Asked to decode a real H.264 clip, it answers with a typed error, not a crash, and lives on.
  const reader = openReader(clip);
  let result;
  try {
    result = demux.sample(reader, { count: 2 }, null);
  } finally {
    reader.close();
  }
  assert.equal(result.ok, false);
  assert.equal(result.error.code, 'unsupported_codec', JSON.stringify(result.error));
  assert.equal(demux.cosine(a, a), 1);
  // An abort of the demux module leaves the full one in place.
  assert.throws(() => demux.cosine({ length: 3e8 }, { length: 3e8 }), isCoreAbort);
  const demux2 = await loadCore({ variant: 'demux' });
  assert.notEqual(demux2, demux);
  assert.equal(await loadCore(), full);
  assert.equal(demux2.cosine(b, b), 1);
});
