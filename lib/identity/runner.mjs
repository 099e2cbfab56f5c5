// Runs the identity networks with ONNX Runtime Web (wasm backend, SIMD), the same package in the
// browser and in Node, so the CLI's vectors equal the page's. Threads only when the page is
// cross-origin isolated (SharedArrayBuffer available); one thread in Node, like a plain page.
//
// Model files and their input specs come from the models manifest (models/manifest.json, copied
// into models/cache/ by `npm run models`; served at /models/ by the registry).
import * as ortWeb from 'onnxruntime-web';

export class ModelError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ModelError';
    this.code = 'models_unavailable';
  }
}

function configureOrt(ort) {
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  ort.env.wasm.numThreads = isolated ? Math.max(1, Math.min(4, cores)) : 1;
  ort.env.wasm.simd = true;
}

// loadBytes(file) -> Uint8Array: reads a file of the model cache (fs in Node, fetch in the page).
// options.ort: another ONNX Runtime with the same API (the benchmark's feature cache passes
// onnxruntime-node, whose outputs agree with the web build's to ~1e-5, see docs/BENCHMARKS.md
// Inference); the product always runs onnxruntime-web.
export async function createRunner(loadBytes, { ort = ortWeb } = {}) {
  const web = ort === ortWeb;
  if (web) configureOrt(ort);
  const manifest = JSON.parse(new TextDecoder().decode(await loadBytes('manifest.json')));
  // Served models by key: their role (face_detector, object_detector, face_embedder, segmenter),
  // or their id for the appearance embedders, of which there are several.
  const byRole = new Map();
  for (const m of manifest.models) {
    if (m.serve) byRole.set(m.role === 'appearance_embedder' ? m.id : m.role, m);
  }
  const sessions = new Map();
  async function session(key) {
    if (!sessions.has(key)) {
      const model = byRole.get(key);
      if (!model) throw new ModelError(`the models manifest has no served model for "${key}"`);
      sessions.set(key, (async () => {
        let bytes;
        try {
          bytes = await loadBytes(model.file);
        } catch (err) {
          throw new ModelError(`model file ${model.file} is missing (run "npm run models"): ${err.message}`);
        }
        return ort.InferenceSession.create(bytes, web
          ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }
          : { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
      })());
    }
    return sessions.get(key);
  }

  return {
    manifest,
    spec(key) {
      const model = byRole.get(key);
      if (!model) throw new ModelError(`the models manifest has no served model for "${key}"`);
      return model;
    },
    // Runs the model with one input tensor of the given shape; returns {name: {data, dims}}.
    async run(key, data, dims) {
      const s = await session(key);
      const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', data, dims) };
      const out = await s.run(feeds);
      const result = {};
      for (const name of s.outputNames) result[name] = { data: out[name].data, dims: out[name].dims };
      return result;
    },
    async warm(keys) {
      await Promise.all(keys.map((k) => session(k)));
    },
  };
}
