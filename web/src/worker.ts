// The engine's Worker: owns the charid wasm core (media + identity) and the ONNX Runtime Web
// sessions. The page only renders; it talks to this file through engine.ts.
//
// Messages in:  {id, type: 'init'|'probe'|'sample'|'embed'|'drift'|'compare', ...}
// Messages out: {id, ok: true, result} | {id, ok: false, error: {code, message}}
//               | {id, progress: {stage, done?, total?}}
import * as ort from 'onnxruntime-web';
import { createRunner } from '../../lib/identity/runner.mjs';
import { embedSample, comparePayloads, payloadVector } from '../../lib/identity/pipeline.mjs';
import { openBlobReader } from '../../lib/readers/blob_reader.mjs';
import { hasSimd, stageOfModel } from './logic';

type Msg = { id: number; type: string; [k: string]: any };

let config: { assetBase: string; modelBase: string; threads?: number } = { assetBase: '/', modelBase: '/models/' };
let corePromise: Promise<any> | null = null;
let runnerPromise: Promise<any> | null = null;
// The last sampled window, so Create does not decode again what the preview already decoded.
let cached: { file: Blob; key: string; sampled: any; decodeMs: number } | null = null;

const post = (m: unknown, transfer: Transferable[] = []) => (self as any).postMessage(m, transfer);

class WorkerError extends Error {
  constructor(public code: string, message: string) {
    super(message);
  }
}

function loadCore(): Promise<any> {
  corePromise ??= (async () => {
    if (!hasSimd()) throw new WorkerError('no_simd', 'WebAssembly SIMD is not available');
    const base = new URL(config.assetBase, self.location.href);
    const wasm = await fetch(new URL('core/charid-core.wasm', base));
    if (!wasm.ok) throw new WorkerError('models_unavailable', `charid-core.wasm: HTTP ${wasm.status}`);
    const { default: createCharidModule } = await import(/* @vite-ignore */ new URL('core/charid-core.mjs', base).href);
    return createCharidModule({ wasmBinary: await wasm.arrayBuffer() });
  })();
  return corePromise;
}

// Model files through the Cache API, so a second visit (or an offline one) does not fetch them again.
async function loadModelBytes(file: string): Promise<Uint8Array> {
  const url = new URL(file, new URL(config.modelBase, self.location.href)).href;
  const cache = typeof caches !== 'undefined' ? await caches.open('charid-models-v1').catch(() => null) : null;
  let res = cache ? await cache.match(url) : undefined;
  if (!res) {
    res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${file}`);
    if (cache && file !== 'manifest.json') await cache.put(url, res.clone()).catch(() => {});
  }
  return new Uint8Array(await res.arrayBuffer());
}

function loadRunner(): Promise<any> {
  runnerPromise ??= (async () => {
    const base = new URL(config.assetBase, self.location.href);
    ort.env.wasm.wasmPaths = new URL('ort/', base).href;
    ort.env.wasm.proxy = false;
    try {
      const runner = await createRunner(loadModelBytes);
      // A cap on threads (e.g. ?threads=1 to compare); ORT reads it when the first session starts.
      if (config.threads) ort.env.wasm.numThreads = Math.max(1, Math.min(config.threads, ort.env.wasm.numThreads || 1));
      return runner;
    } catch (err: any) {
      runnerPromise = null;
      throw new WorkerError('models_unavailable', err?.message ?? String(err));
    }
  })();
  return runnerPromise;
}

// The runner as the pipeline sees it, reporting the stage each network belongs to.
function stagedRunner(runner: any, id: number) {
  let last = '';
  return {
    manifest: runner.manifest,
    spec: (k: string) => runner.spec(k),
    warm: (keys: string[]) => runner.warm(keys),
    run(key: string, data: Float32Array, dims: number[]) {
      const stage = stageOfModel(key);
      if (stage !== last) {
        last = stage;
        post({ id, progress: { stage } });
      }
      return runner.run(key, data, dims);
    },
  };
}

function publicSource(s: any) {
  const { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio } = s;
  return { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio };
}

function check(result: any) {
  if (result && result.ok === false) throw new WorkerError(result.error.code, result.error.message);
  return result;
}

// A small RGBA copy of a frame for the page (the full frames stay here).
function thumbnail(f: { rgb: Uint8Array; width: number; height: number }, maxWidth = 240) {
  const s = Math.min(1, maxWidth / f.width);
  const w = Math.max(1, Math.round(f.width * s));
  const h = Math.max(1, Math.round(f.height * s));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(f.height - 1, Math.floor(y / s));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(f.width - 1, Math.floor(x / s));
      const i = (sy * f.width + sx) * 3;
      const o = (y * w + x) * 4;
      out[o] = f.rgb[i];
      out[o + 1] = f.rgb[i + 1];
      out[o + 2] = f.rgb[i + 2];
      out[o + 3] = 255;
    }
  }
  return { width: w, height: h, rgba: out };
}

async function doProbe(m: Msg) {
  const core = await loadCore();
  post({ id: m.id, progress: { stage: 'reading' } });
  const r = check(core.probe(openBlobReader(m.file), { allowLowRes: !!m.allowLowRes, start: m.start ?? 0 }));
  return { source: publicSource(r.source), window: r.window, warnings: r.warnings };
}

async function sampleCached(m: Msg) {
  const core = await loadCore();
  const key = `${m.start ?? 0}|${!!m.allowLowRes}|${m.count ?? 16}`;
  if (cached && cached.file === m.file && cached.key === key) return cached;
  cached = null;
  post({ id: m.id, progress: { stage: 'reading' } });
  const reader = openBlobReader(m.file);
  const t = performance.now();
  post({ id: m.id, progress: { stage: 'decoding', done: 0, total: m.count ?? 16 } });
  const sampled = check(core.sample(reader, { start: m.start ?? 0, allowLowRes: !!m.allowLowRes, count: m.count ?? 16 },
    (done: number, total: number) => post({ id: m.id, progress: { stage: 'decoding', done, total } })));
  cached = { file: m.file, key, sampled, decodeMs: performance.now() - t };
  return cached;
}

async function doSample(m: Msg) {
  const { sampled, decodeMs } = await sampleCached(m);
  const thumbs = sampled.frames.map((f: any) => ({ timestamp: f.timestamp, ...thumbnail(f) }));
  return {
    result: {
      source: publicSource(sampled.source),
      window: sampled.window,
      quality: sampled.quality,
      warnings: sampled.warnings,
      frames: thumbs,
      decodeMs,
    },
    transfer: thumbs.map((t: any) => t.rgba.buffer),
  };
}

async function doEmbed(m: Msg) {
  const started = performance.now();
  const [core, runner] = await Promise.all([loadCore(), loadRunner()]);
  const { sampled, decodeMs } = await sampleCached(m);
  post({ id: m.id, progress: { stage: 'finding' } });
  const out = await embedSample(core, stagedRunner(runner, m.id), sampled, {
    box: m.box ?? null,
    source: publicSource(sampled.source),
    decodeMs,
    startedAt: started,
  });
  const frames = sampled.frames;
  const boxes = out.subject.boxes.map((b: number[], i: number) => [b[0] / frames[i].width, b[1] / frames[i].height, b[2] / frames[i].width, b[3] / frames[i].height]);
  const embedding = runner.manifest.embeddings?.find((e: any) => e.model === out.payload.model);
  return {
    payload: out.payload,
    subject: { kind: out.subject.kind, found: out.subject.found, boxes },
    frameVectors: out.frameVectors,
    threshold: embedding?.threshold,
    timings: { ...out.timings, total: Math.round(performance.now() - started) },
  };
}

async function doDrift(m: Msg) {
  const e = await doEmbed(m);
  const core = await loadCore();
  const runner = await loadRunner();
  const ref = payloadVector(core, runner.manifest, m.payload);
  const similarities = e.frameVectors.map((v: Float32Array) => check(core.cosine(ref, v)));
  const overall = comparePayloads(core, runner.manifest, m.payload, e.payload);
  return { similarities, overall, subject: e.subject, timings: e.timings };
}

async function doCompare(m: Msg) {
  const [core, runner] = await Promise.all([loadCore(), loadRunner()]);
  return comparePayloads(core, runner.manifest, m.a, m.b);
}

self.onmessage = async (ev: MessageEvent<Msg>) => {
  const m = ev.data;
  try {
    let result: any;
    let transfer: Transferable[] = [];
    switch (m.type) {
      case 'init':
        config = { ...config, ...m.config };
        await loadCore();
        const isolated = (self as any).crossOriginIsolated === true;
        const threads = isolated ? Math.min(4, navigator.hardwareConcurrency || 1, config.threads || 4) : 1;
        result = { simd: true, isolated, threads };
        if (m.warm) loadRunner().catch(() => {});
        break;
      case 'probe': result = await doProbe(m); break;
      case 'sample': ({ result, transfer } = await doSample(m)); break;
      case 'embed': result = await doEmbed(m); break;
      case 'drift': result = await doDrift(m); break;
      case 'compare': result = await doCompare(m); break;
      default: throw new WorkerError('invalid_argument', `unknown request ${m.type}`);
    }
    post({ id: m.id, ok: true, result }, transfer);
  } catch (err: any) {
    post({ id: m.id, ok: false, error: { code: err?.code ?? 'invalid_argument', message: err?.message ?? String(err) } });
  }
};
