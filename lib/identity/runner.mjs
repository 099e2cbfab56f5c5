// Runs the identity networks with ONNX Runtime Web, the same package in the browser and in Node,
// so the CLI's vectors equal the page's. Node keeps one wasm thread (or onnxruntime-node's CPU
// provider when a caller passes it, as the benchmarks do).
//
// In the browser the backend is chosen per model by measurement on the machine the page runs on:
// WebGPU (when the caller passes a loader for ORT's WebGPU build and navigator.gpu gives an
// adapter) against wasm SIMD; each candidate's session is created and timed on a warm run of a
// synthetic input of the model's shape, the faster one is kept, and the choice is stored (keyed by
// the model's sha256, the user agent and the thread count) so it is measured once. A backend that
// fails to create a session, or fails mid-run, is dropped quietly for the next one. The wasm thread
// count is measured too (threads.mjs, through a probe the Worker provides), not derived from a
// formula. `backend` names what actually ran ("wasm", "webgpu" or "webgpu+wasm"), `threads` the
// wasm thread count in effect.
//
// Model files and their input specs come from the models manifest (models/manifest.json, copied
// into models/cache/ by `npm run models`; served at /models/ by the registry).
import * as ortWeb from 'onnxruntime-web';
import { CharidError } from '../errors.mjs';
import { openChoiceStore } from './backend_store.mjs';

export class ModelError extends CharidError {
  constructor(message, options) {
    super('models_unavailable', message, options);
    this.name = 'ModelError';
  }
}

export const BACKENDS = ['webgpu', 'wasm'];
const TIMED_RUNS = 2; // after one warm run; the median of these decides

// A deterministic input of the model's own shape ('batch' and other named dims as 1): timing does
// not depend on the values, and a fixed pattern keeps runs comparable.
function syntheticInput(model) {
  const dims = model.input.shape.map((d) => (typeof d === 'number' ? d : 1));
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = (x >>> 8) / 16777216;
  }
  return { data, dims };
}

async function hasWebGpuAdapter() {
  try {
    return Boolean(await globalThis.navigator?.gpu?.requestAdapter());
  } catch {
    return false;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// loadBytes(file) -> Uint8Array: reads a file of the model cache (fs in Node, fetch in the page).
// options:
//   ort      another ONNX Runtime with the same API (the benchmark's feature cache passes
//            onnxruntime-node, CPU provider, 1 thread); the product runs onnxruntime-web.
//   webgpu   async () => ORT's WebGPU build (onnxruntime-web/webgpu), loaded only when an adapter
//            exists; absent in Node and wherever the build is not served.
//   threads  the wasm thread count: a number, or async () => number (a measurement, awaited
//            before the first session); 1 when absent or not cross-origin isolated.
//   backend  force one backend ('wasm' | 'webgpu'): tests, benchmarks, ?backend= on the page.
//   store    where choices are kept ({get, set}); default IndexedDB where it exists.
//   onChoice (key, {backend, measured, times_ms}) -> void, told once per model.
export async function createRunner(loadBytes, { ort = ortWeb, webgpu = null, threads = null, backend: forced = null, store, onChoice } = {}) {
  const web = ort === ortWeb;
  if (forced && !BACKENDS.includes(forced)) throw new CharidError('invalid_argument', `unknown inference backend "${forced}" (one of ${BACKENDS.join(', ')})`);
  // ORT reads numThreads when its wasm module starts (the first session), so a measured count
  // (an async function) is awaited only then: creating the runner stays quick.
  let wasmThreads = 1;
  let threadsReady = null;
  const ensureThreads = () => (threadsReady ??= (async () => {
    const n = typeof threads === 'function' ? await threads() : threads;
    wasmThreads = web && globalThis.crossOriginIsolated === true && Number.isInteger(n) && n > 1 ? n : 1;
    if (web) ort.env.wasm.numThreads = wasmThreads;
  })());
  if (web) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
  }
  const manifest = JSON.parse(new TextDecoder().decode(await loadBytes('manifest.json')));
  // Served models by key: their role (face_detector, object_detector, face_embedder, segmenter),
  // or their id for the appearance embedders, of which there are several.
  const byRole = new Map();
  for (const m of manifest.models) {
    if (m.serve) byRole.set(m.role === 'appearance_embedder' ? m.id : m.role, m);
  }
  const choices = web ? (store === undefined ? await openChoiceStore() : store) : null;
  const agent = globalThis.navigator?.userAgent ?? 'node';

  // The WebGPU build, once, only where an adapter exists; null otherwise (never an error).
  let gpuOrt = null;
  const loadGpuOrt = () => (gpuOrt ??= (async () => {
    if (!web || !webgpu || forced === 'wasm' || !(await hasWebGpuAdapter())) return null;
    try {
      const mod = await webgpu();
      mod.env.wasm.numThreads = wasmThreads;
      if (ort.env.wasm.wasmPaths && !mod.env.wasm.wasmPaths) mod.env.wasm.wasmPaths = ort.env.wasm.wasmPaths;
      return mod;
    } catch {
      return null;
    }
  })());

  function spec(key) {
    const model = byRole.get(key);
    if (!model) throw new ModelError(`the models manifest has no served model for "${key}"`);
    return model;
  }

  async function bytesOf(model) {
    try {
      return await loadBytes(model.file);
    } catch (err) {
      throw new ModelError(`model file ${model.file} is missing (run "npm run models"): ${err.message}`, { cause: err });
    }
  }

  // One session on one backend: { backend, ort, session }; throws when the backend cannot.
  async function open(name, bytes) {
    if (!web) {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
      return { backend: 'cpu', ort, session };
    }
    const rt = name === 'webgpu' ? await loadGpuOrt() : ort;
    if (!rt) throw new Error(`${name} is not available`);
    const session = await rt.InferenceSession.create(bytes, { executionProviders: [name], graphOptimizationLevel: 'all' });
    return { backend: name, ort: rt, session };
  }

  async function runOn(s, data, dims) {
    const feeds = { [s.session.inputNames[0]]: new s.ort.Tensor('float32', data, dims) };
    const out = await s.session.run(feeds);
    const result = {};
    for (const n of s.session.outputNames) {
      // WebGPU outputs may live on the GPU; getData() downloads them (plain data on wasm).
      const t = out[n];
      result[n] = { data: t.location && t.location !== 'cpu' ? await t.getData(true) : t.data, dims: t.dims };
    }
    return result;
  }

  // The median of TIMED_RUNS warm runs; a candidate already twice as slow as `best` after its
  // first timed run stops there (a software WebGPU adapter can take seconds a run).
  async function timeOn(s, model, best = Infinity) {
    const { data, dims } = syntheticInput(model);
    await runOn(s, data, dims); // warm: first run compiles shaders / sizes the arena
    const times = [];
    for (let i = 0; i < TIMED_RUNS; i++) {
      const t0 = performance.now();
      await runOn(s, data, dims);
      times.push(performance.now() - t0);
      if (times[0] > 2 * best) break;
    }
    return median(times);
  }

  // The session of a model on its chosen backend (measured or stored), falling back in order.
  async function choose(key, model) {
    const bytes = await bytesOf(model);
    if (!web) return open('cpu', bytes);
    await ensureThreads();
    const candidates = forced ? [forced] : ((await loadGpuOrt()) ? ['webgpu', 'wasm'] : ['wasm']);
    if (forced === 'webgpu') candidates.push('wasm'); // still falls back quietly
    const storeKey = `${model.sha256 ?? model.file}|${agent}|t${wasmThreads}`;
    const stored = candidates.length > 1 && !forced ? await choices?.get(storeKey) : null;
    const measure = !stored && !forced && candidates.length > 1;
    // wasm first when measuring: the known quantity, against which a slow candidate stops early
    const order = stored && candidates.includes(stored.backend) ? [stored.backend, ...candidates.filter((c) => c !== stored.backend)]
      : measure ? ['wasm', ...candidates.filter((c) => c !== 'wasm')] : candidates;
    const opened = [];
    const times = {};
    let lastError = null;
    for (const name of order) {
      try {
        const s = await open(name, bytes);
        if (!measure) {
          onChoice?.(key, { backend: name, measured: false, stored: Boolean(stored) });
          return s;
        }
        times[name] = await timeOn(s, model, Math.min(...Object.values(times)));
        opened.push(s);
      } catch (err) {
        lastError = err;
      }
    }
    if (!opened.length) throw new ModelError(`no inference backend could run ${model.id}: ${lastError?.message ?? lastError}`, { cause: lastError });
    opened.sort((a, b) => times[a.backend] - times[b.backend]);
    for (const loser of opened.slice(1)) await loser.session.release?.()?.catch(() => {});
    try {
      await choices?.set(storeKey, { backend: opened[0].backend, times_ms: times, at: Date.now() });
    } catch { /* not stored: measured again next time */ }
    onChoice?.(key, { backend: opened[0].backend, measured: true, times_ms: times });
    return opened[0];
  }

  // One model at a time: measurements running side by side would time each other.
  let chain = Promise.resolve();
  const serial = (job) => {
    const p = chain.then(job, job);
    chain = p.catch(() => {});
    return p;
  };
  const sessions = new Map(); // key -> Promise<{backend, ort, session}>
  const ran = new Map(); // key -> backend that produced its last outputs
  const session = (key) => {
    if (!sessions.has(key)) {
      const model = spec(key);
      const p = serial(() => choose(key, model));
      p.catch(() => sessions.delete(key)); // a later call may try again (e.g. models fetched meanwhile)
      sessions.set(key, p);
    }
    return sessions.get(key);
  };

  return {
    manifest,
    spec,
    // What ran: the backends of the models run so far ('wasm', 'webgpu', 'webgpu+wasm'; 'cpu'
    // for onnxruntime-node); '' before the first run.
    get backend() {
      return BACKENDS.concat('cpu').filter((b) => [...ran.values()].includes(b)).join('+');
    },
    get backends() {
      return Object.fromEntries(ran);
    },
    // The wasm thread count in effect; null until the first session has started ORT.
    get threads() {
      return web && !threadsReady ? null : wasmThreads;
    },
    // Runs the model with one input tensor of the given shape; returns {name: {data, dims}}.
    // A WebGPU session that fails mid-run is replaced by a wasm one and the run repeated.
    async run(key, data, dims) {
      const s = await session(key);
      try {
        const out = await runOn(s, data, dims);
        ran.set(key, s.backend);
        return out;
      } catch (err) {
        if (s.backend !== 'webgpu') throw err;
        const fallback = open('wasm', await bytesOf(spec(key)));
        sessions.set(key, fallback);
        const w = await fallback;
        const out = await runOn(w, data, dims);
        ran.set(key, 'wasm');
        return out;
      }
    },
    async warm(keys) {
      await Promise.all(keys.map((k) => session(k)));
    },
  };
}
