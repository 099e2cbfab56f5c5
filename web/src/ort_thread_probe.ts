// A short-lived Worker that times one model on a fresh ONNX Runtime Web instance with a given
// wasm thread count (ORT's thread pool is fixed when its module starts, so each count needs its
// own instance): lib/identity/threads.mjs compares the answers. Started by worker.ts.
//   in:  { threads, wasmPaths, bytes (the model file), dims (its input shape) }
//   out: { ok: true, ms, threads } | { ok: false, error }
import * as ort from 'onnxruntime-web';

self.onmessage = async ({ data: m }: MessageEvent<any>) => {
  try {
    ort.env.wasm.wasmPaths = m.wasmPaths;
    ort.env.wasm.numThreads = m.threads;
    ort.env.wasm.proxy = false;
    const session = await ort.InferenceSession.create(new Uint8Array(m.bytes), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const size = m.dims.reduce((a: number, b: number) => a * b, 1);
    const input = new Float32Array(size);
    for (let i = 0; i < size; i++) input[i] = ((i * 2654435761) >>> 24) / 255;
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, m.dims) };
    await session.run(feeds); // warm
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    (self as any).postMessage({ ok: true, ms: times[1], threads: ort.env.wasm.numThreads });
  } catch (err: any) {
    (self as any).postMessage({ ok: false, error: String(err?.message ?? err) });
  }
};
