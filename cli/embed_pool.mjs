// Embeds clips for a batch, `jobs` at a time. The identity pipeline (wasm core and ONNX Runtime
// Web, one thread each) is synchronous while it runs, so parallel embeds need threads of their
// own: with jobs > 1 each one runs in a worker thread (embed_worker.mjs) with its own module and
// model sessions, started on first use; with jobs = 1 it runs here.
import { Worker } from 'node:worker_threads';
import { CharidError } from '../lib/errors.mjs';
import { embedClip } from './inputs.mjs';

const ERROR_CODE = /^[a-z][a-z0-9_]*$/;

// A worker's error message back as the error it was.
export function errorFromMessage(e) {
  if (typeof e?.code === 'string' && ERROR_CODE.test(e.code)) return new CharidError(e.code, e.message);
  return new CharidError('internal_error', `embedding failed: ${e?.stack || e?.message || e}`);
}

export function createEmbedPool(jobs) {
  if (jobs <= 1) return { embed: (input, options) => embedClip(input, options), close: async () => {} };

  const idle = [];
  const all = [];
  const waiting = [];
  const pending = new Map();
  let next = 1;

  function spawnWorker() {
    const worker = new Worker(new URL('./embed_worker.mjs', import.meta.url));
    worker.on('message', ({ id, result, error }) => {
      const p = pending.get(id);
      pending.delete(id);
      release(worker);
      if (error) p.reject(errorFromMessage(error));
      else p.resolve(result);
    });
    // A crashed worker fails its own job; later jobs get a new worker.
    worker.on('error', (err) => failWorker(worker, err));
    worker.on('exit', (code) => { if (code !== 0) failWorker(worker, new Error(`worker exited with ${code}`)); });
    all.push(worker);
    return worker;
  }

  function failWorker(worker, err) {
    const i = all.indexOf(worker);
    if (i < 0) return;
    all.splice(i, 1);
    for (const [id, p] of pending) {
      if (p.worker === worker) {
        pending.delete(id);
        p.reject(new CharidError('internal_error', `an embedding thread failed: ${err.message}`));
      }
    }
    if (waiting.length) dispatch(waiting.shift());
  }

  function release(worker) {
    if (waiting.length) dispatch(waiting.shift(), worker);
    else idle.push(worker);
  }

  function dispatch(job, worker = idle.pop() ?? (all.length < jobs ? spawnWorker() : null)) {
    if (!worker) {
      waiting.push(job);
      return;
    }
    const id = next++;
    pending.set(id, { ...job, worker });
    worker.postMessage({ id, input: job.input, options: job.options });
  }

  return {
    embed(input, options) {
      return new Promise((resolve, reject) => dispatch({ input, options, resolve, reject }));
    },
    async close() {
      await Promise.all(all.splice(0).map((w) => w.terminate()));
    },
  };
}
