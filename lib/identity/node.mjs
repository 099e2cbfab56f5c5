// Node entry points of the identity pipeline (CLI, tests, benchmark): the wasm core, the media
// core and ONNX Runtime Web over the local model cache.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../core_module.mjs';
import { publicSource, sample } from '../media.mjs';
import { createRunner } from './runner.mjs';
import { embedSample, comparePayloads } from './pipeline.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function modelCacheDir() {
  return process.env.CHARID_MODEL_CACHE || path.join(repoRoot, 'models', 'cache');
}

let runnerPromise = null;
export function nodeRunner() {
  runnerPromise ??= createRunner(async (file) => new Uint8Array(await fs.readFile(path.join(modelCacheDir(), file))));
  return runnerPromise;
}

// options: {start, allowLowRes, box: [x, y, w, h] normalised, count, model (default charid-id@2)}
export async function embed(input, options = {}) {
  const t0 = performance.now();
  const [core, runner] = await Promise.all([loadCore(), nodeRunner()]);
  const decodeStart = performance.now();
  const sampled = await sample(input, {
    start: options.start,
    allowLowRes: options.allowLowRes,
    count: options.count ?? 16,
  });
  const decodeMs = performance.now() - decodeStart;
  return embedSample(core, runner, sampled, {
    box: options.box, model: options.model, source: publicSource(sampled.source), decodeMs, startedAt: t0,
  });
}

export async function compare(a, b) {
  const core = await loadCore();
  const runner = await nodeRunner();
  return comparePayloads(core, runner.manifest, a, b);
}
