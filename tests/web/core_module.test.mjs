// The one loader of the wasm core (lib/core_module.mjs) under Node: a missing build is a typed
// error, and a module that aborted is dropped so that the next loadCore() gives a working one.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CharidError } from '../../lib/errors.mjs';
import { hasSimd, isCoreAbort, loadCore, wasmDir } from '../../lib/core_module.mjs';

const built = existsSync(join(wasmDir(), 'charid-core.wasm')) && existsSync(join(wasmDir(), 'charid-core.mjs'));

test('a core that is not built is a models_unavailable CharidError, and a later call can still load', { skip: !built && 'the wasm core is not built' }, async () => {
  const empty = mkdtempSync(join(tmpdir(), 'charid-nocore-'));
  const saved = process.env.CHARID_WASM_DIR;
  process.env.CHARID_WASM_DIR = empty;
  try {
    await assert.rejects(loadCore(), (err) => err instanceof CharidError && err.code === 'models_unavailable' && err.message.includes(empty));
  } finally {
    if (saved === undefined) delete process.env.CHARID_WASM_DIR;
    else process.env.CHARID_WASM_DIR = saved;
    rmSync(empty, { recursive: true, force: true });
  }
  const core = await loadCore(); // the failure was not cached
  assert.equal(core.cosine(new Float32Array([1, 0]), new Float32Array([1, 0])), 1);
});

test('a module that aborted is replaced by the next loadCore()', { skip: !built && 'the wasm core is not built' }, async () => {
  assert.equal(hasSimd(), true);
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
