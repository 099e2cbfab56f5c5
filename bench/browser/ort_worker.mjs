// onnxruntime-web (wasm backend, SIMD) in a Worker, kept alive across messages so sessions are
// created once. Messages:
//   { cmd: 'init', threads, models: [{ key, url }] } -> { ok, threads, crossOriginIsolated, session_ms }
//   { cmd: 'run', key, url (raw float32 input), dims, reps } -> { ok, times: [ms], outputs: { name: { base64, dims } } }
// (outputs as base64 of their float32 bytes, so they cross into Node intact and quickly)
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';

const sessions = new Map();
const inputs = new Map();

function base64(typed) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

self.onmessage = async ({ data: msg }) => {
  try {
    if (msg.cmd === 'init') {
      ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
      ort.env.wasm.numThreads = msg.threads;
      ort.env.wasm.simd = true;
      const t0 = performance.now();
      for (const m of msg.models) {
        const bytes = new Uint8Array(await (await fetch(m.url)).arrayBuffer());
        sessions.set(m.key, await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
      }
      self.postMessage({ ok: true, threads: ort.env.wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated, session_ms: performance.now() - t0 });
      return;
    }
    const s = sessions.get(msg.key);
    if (!inputs.has(msg.url)) inputs.set(msg.url, new Float32Array(await (await fetch(msg.url)).arrayBuffer()));
    const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', inputs.get(msg.url), msg.dims) };
    const times = [];
    let out = null;
    for (let i = 0; i < msg.reps; i++) {
      const t = performance.now();
      out = await s.run(feeds);
      times.push(performance.now() - t);
    }
    const outputs = {};
    for (const name of s.outputNames) outputs[name] = { base64: base64(out[name].data), dims: out[name].dims, type: out[name].type };
    self.postMessage({ ok: true, times, outputs });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err && err.stack || err) });
  }
};
