// The engine's Worker: owns the charid wasm core (media + identity) and the ONNX Runtime Web
// sessions. The page only renders; it talks to this file through engine.ts.
//
// Messages in:  {id, type: 'init'|'probe'|'sample'|'embed'|'drift', ...}
// Messages out: {id, ok: true, result} | {id, ok: false, error: {code, message, fatal?}}
//               | {id, progress: {stage, done?, total?}}
// `fatal` means the wasm module aborted: the engine then replaces this Worker.
import * as ort from 'onnxruntime-web';
import { createRunner } from '../../lib/identity/runner.mjs';
import { chooseThreads } from '../../lib/identity/threads.mjs';
import { openChoiceStore } from '../../lib/identity/backend_store.mjs';
import { embedSample, comparePayloads, payloadVector } from '../../lib/identity/pipeline.mjs';
import { modelSimilarity } from '../../lib/identity/similarity.mjs';
import { isCoreAbort, loadCore } from '../../lib/core_module.mjs';
import { probe, publicSource } from '../../lib/media.mjs';
import { sampleWindow } from './decode/sample';
import { openBlobReader } from '../../lib/readers/blob_reader.mjs';
import { CharidError } from '../../lib/errors.mjs';
import { stageOfModel } from './logic';
import { MODEL_CACHE } from './cache_names.mjs';
import { doCast, doPack } from './worker_features';

type Msg = { id: number; type: string; [k: string]: any };

// Errors of this Worker: CharidError with the same codes (the page branches on `code`).
export class WorkerError extends CharidError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WorkerError';
  }
}

let config: { assetBase: string; modelBase: string; threads?: number; backend?: string } = { assetBase: '/', modelBase: '/models/' };
let runnerPromise: Promise<any> | null = null;
// The last sampled window and the last identity computed from it, so Create does not decode or
// embed again what the preview (and the "already registered?" check) already did.
let sampledCache: { file: Blob; key: string; sampled: any; decodeMs: number; thumbs?: Map<number, Promise<any>> } | null = null;
let embedCache: { file: Blob; key: string; result: Promise<any> } | null = null;

const post = (m: unknown) => (self as any).postMessage(m);

const core = () => loadCore({ assetBase: new URL(config.assetBase, self.location.href).href });

// Model files through the Cache API, so a second visit (or an offline one) does not fetch them again.
async function loadModelBytes(file: string): Promise<Uint8Array> {
  const url = new URL(file, new URL(config.modelBase, self.location.href)).href;
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE).catch(() => null) : null;
  let res = cache ? await cache.match(url) : undefined;
  if (!res) {
    res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${file}`);
    if (cache && file !== 'manifest.json') await cache.put(url, res.clone()).catch(() => {});
  }
  return new Uint8Array(await res.arrayBuffer());
}

// The runner (the manifest is read at once; each network's session on first use). The wasm
// thread count is measured once per machine (lib/identity/threads.mjs: each candidate timed on a
// fresh ORT instance in a short-lived probe Worker); ?threads=N forces it. WebGPU is offered
// through ORT's WebGPU build served beside the wasm build (ort/ort.webgpu.min.mjs): where it is
// missing, or no adapter exists, the runner uses wasm quietly. ?backend=wasm|webgpu forces one.
let threadChoice: { threads: number; measured: boolean; times_ms: Record<string, number>; reason?: string } | null = null;

function probeThreads(threads: number, bytes: Uint8Array, dims: number[], wasmPaths: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./ort_thread_probe.ts', import.meta.url), { type: 'module' });
    const timer = setTimeout(() => { w.terminate(); reject(new Error('thread probe timed out')); }, 60_000);
    const end = (f: () => void) => { clearTimeout(timer); w.terminate(); f(); };
    w.onmessage = ({ data }) => end(() => (data.ok ? resolve(data.ms) : reject(new Error(data.error))));
    w.onerror = (e) => end(() => reject(new Error(e.message || 'thread probe failed to start')));
    const copy = bytes.slice();
    w.postMessage({ threads, wasmPaths, bytes: copy.buffer, dims }, [copy.buffer]);
  });
}

async function measuredThreads(wasmPaths: string) {
  const isolated = (self as any).crossOriginIsolated === true;
  const cores = (self as any).navigator?.hardwareConcurrency ?? 1;
  if (config.threads) return { threads: isolated ? config.threads : 1, measured: false, times_ms: {}, reason: 'forced' };
  const manifest = JSON.parse(new TextDecoder().decode(await loadModelBytes('manifest.json')));
  // The object detector: the heaviest network that runs on every frame.
  const model = manifest.models.find((x: any) => x.serve && x.role === 'object_detector');
  if (!model) return { threads: 1, measured: false, times_ms: {}, reason: 'no object detector in the manifest' };
  const bytes = await loadModelBytes(model.file);
  const dims = model.input.shape.map((d: any) => (typeof d === 'number' ? d : 1));
  return chooseThreads({
    probe: (n: number) => probeThreads(n, bytes, dims, wasmPaths),
    store: await openChoiceStore(),
    isolated,
    cores,
    fallback: Math.min(4, cores), // the probe Worker cannot start (e.g. a bundle without it)
  });
}

function loadRunner(): Promise<any> {
  runnerPromise ??= (async () => {
    const base = new URL(config.assetBase, self.location.href);
    const wasmPaths = new URL('ort/', base).href;
    ort.env.wasm.wasmPaths = wasmPaths;
    ort.env.wasm.proxy = false;
    try {
      const forced = new URLSearchParams((self as any).location.search).get('backend') ?? config.backend ?? null;
      return await createRunner(loadModelBytes, {
        threads: async () => (threadChoice = await measuredThreads(wasmPaths)).threads,
        backend: forced,
        webgpu: () => import(/* @vite-ignore */ new URL('ort.webgpu.min.mjs', wasmPaths).href),
      });
    } catch (err: any) {
      runnerPromise = null;
      throw new WorkerError('models_unavailable', err?.message ?? String(err), { cause: err });
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
    get backend() { return runner.backend; },
    get threads() { return runner.threads; },
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

// A small JPEG of a frame for the page (the full frames stay here), scaled by the browser.
async function thumbnail(f: { rgb: Uint8Array; width: number; height: number }, maxWidth = 240, quality = 0.8) {
  const rgba = new Uint8ClampedArray(f.width * f.height * 4); // the core's frames are RGB
  for (let from = 0, to = 0; from < f.rgb.length; from += 3, to += 4) {
    rgba[to] = f.rgb[from];
    rgba[to + 1] = f.rgb[from + 1];
    rgba[to + 2] = f.rgb[from + 2];
    rgba[to + 3] = 255;
  }
  const s = Math.min(1, maxWidth / f.width);
  const width = Math.max(1, Math.round(f.width * s));
  const height = Math.max(1, Math.round(f.height * s));
  const bitmap = await createImageBitmap(new ImageData(rgba, f.width, f.height), { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, jpeg: await canvas.convertToBlob({ type: 'image/jpeg', quality }) };
}

const thumbnails = (frames: any[], maxWidth?: number, quality?: number) =>
  Promise.all(frames.map(async (f) => ({ timestamp: f.timestamp, ...(await thumbnail(f, maxWidth, quality)) })));

async function doProbe(m: Msg) {
  await core();
  post({ id: m.id, progress: { stage: 'reading' } });
  const r = await probe(openBlobReader(m.file), { allowLowRes: m.allowLowRes, start: m.start });
  return { source: publicSource(r.source), window: r.window, warnings: r.warnings };
}

// The sampled window, decoded once (WebCodecs first, the core's decoders as fallback:
// decode/sample.ts). Each frame's thumbnail is posted as soon as it is decoded (progress
// {stage: 'decoding', done, total, start, frame}), so the page shows the first frames early;
// doSample reuses those thumbnails.
async function sampleCached(m: Msg) {
  const webcodecs = m.webcodecs !== false;
  const key = `${m.start ?? 0}|${!!m.allowLowRes}|${m.count ?? 16}|${webcodecs}`;
  if (sampledCache && sampledCache.file === m.file && sampledCache.key === key) return sampledCache;
  sampledCache = null;
  embedCache = null;
  const wasm = await core();
  post({ id: m.id, progress: { stage: 'reading' } });
  const t = performance.now();
  const total = m.count ?? 16;
  post({ id: m.id, progress: { stage: 'decoding', done: 0, total } });
  const thumbs = new Map<number, Promise<any>>();
  const sampled = await sampleWindow(wasm, m.file, { start: m.start, allowLowRes: m.allowLowRes, count: total }, {
    webcodecs,
    onProgress: (done: number, all: number) => post({ id: m.id, progress: { stage: 'decoding', done, total: all } }),
    onFrame: (f: any, done: number, all: number) => {
      const timestamp = f.timestamp / 1e6;
      const thumb = thumbnail(f).then((j) => ({ timestamp, ...j }));
      thumbs.set(timestamp, thumb);
      thumb.then((frame) => post({ id: m.id, progress: { stage: 'decoding', done, total: all, start: m.start ?? 0, frame } }), () => {});
    },
  });
  sampledCache = { file: m.file, key, sampled, decodeMs: performance.now() - t, thumbs };
  return sampledCache;
}

async function doSample(m: Msg) {
  const { sampled, decodeMs, thumbs } = await sampleCached(m);
  return {
    source: publicSource(sampled.source),
    window: sampled.window,
    quality: sampled.quality,
    warnings: sampled.warnings,
    frames: await Promise.all(sampled.frames.map((f: any) => thumbs?.get(f.timestamp) ?? thumbnail(f).then((j) => ({ timestamp: f.timestamp, ...j })))),
    decodeMs,
    decoder: sampled.decoder,
    ...(sampled.fallback ? { fallback: sampled.fallback } : {}),
    ...(sampled.codec ? { codec: sampled.codec } : {}), // the WebCodecs codec string that served
    ...(sampled.stages_ms ? { decodeStages: sampled.stages_ms } : {}),
  };
}

async function embedOnce(m: Msg) {
  const started = performance.now();
  const [wasm, runner] = await Promise.all([core(), loadRunner()]);
  const { sampled, decodeMs } = await sampleCached(m);
  post({ id: m.id, progress: { stage: 'finding' } });
  const out = await embedSample(wasm, stagedRunner(runner, m.id), sampled, {
    ...(m.model ? { model: m.model } : {}), // else lib/identity's default model
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
    frameTimes: frames.map((f: any) => f.timestamp),
    source: publicSource(sampled.source),
    threshold: embedding?.threshold,
    timings: { ...out.timings, backend: runner.backend, threads: runner.threads, total: Math.round(performance.now() - started) },
  };
}

// One identity per (file, window, box): a second request for the same (Create after the
// "already registered?" check) gets the first one's result.
function doEmbed(m: Msg) {
  const key = `${m.start ?? 0}|${!!m.allowLowRes}|${m.count ?? 16}|${JSON.stringify(m.box ?? null)}|${m.model ?? ''}`;
  if (embedCache && embedCache.file === m.file && embedCache.key === key) return embedCache.result;
  const entry = { file: m.file, key, result: embedOnce(m) };
  embedCache = entry;
  entry.result.catch(() => { if (embedCache === entry) embedCache = null; });
  return entry.result;
}

async function doDrift(m: Msg) {
  // Checking is not creating: a clip below 720p is compared too (the page says the score is
  // less reliable then). The clip is embedded with the character's model, so that the two compare.
  const [wasm, runner] = await Promise.all([core(), loadRunner()]);
  const ref = payloadVector(wasm, runner.manifest, m.payload); // refuses a payload of an unknown model
  const e = await doEmbed({ ...m, allowLowRes: true, model: m.payload.model });
  // each frame under the model's own rule (lib/identity's, as for the whole clip)
  const spec = runner.manifest.embeddings.find((x: any) => x.model === m.payload.model);
  const similarities = e.frameVectors.map((v: Float32Array) => modelSimilarity(spec, ref, v));
  const overall = comparePayloads(wasm, runner.manifest, m.payload, e.payload);
  const { sampled } = await sampleCached({ ...m, allowLowRes: true });
  const frames = await thumbnails(sampled.frames, 96, 0.7);
  return { similarities, overall, subject: e.subject, source: e.source, frames, timings: e.timings };
}

async function doInit(m: Msg) {
  config = { ...config, ...m.config };
  await core();
  // The manifest only (sessions start when first used); without it probing and sampling still
  // work, and embed reports models_unavailable.
  const runner = await loadRunner().catch(() => null);
  const isolated = (self as any).crossOriginIsolated === true;
  if (m.warm) runner?.warm(['face_detector', 'object_detector']).catch(() => {});
  // threads: the measured count once a session has started, else the most the engine may use
  const most = isolated ? Math.min(8, (self as any).navigator?.hardwareConcurrency ?? 1) : 1;
  return { simd: true, isolated, threads: runner?.threads ?? most, threadChoice, embeddings: runner?.manifest.embeddings ?? [] };
}

// One job at a time: the wasm module and the ORT sessions are not re-entrant.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => {});
  return run;
}

self.onmessage = async (ev: MessageEvent<Msg>) => {
  const m = ev.data;
  try {
    const result = await serial(async () => {
      switch (m.type) {
        case 'init': return doInit(m);
        case 'probe': return doProbe(m);
        case 'sample': return doSample(m);
        case 'embed': return doEmbed(m);
        case 'drift': return doDrift(m);
        case 'pack': return doPack(m, { core, loadRunner, sampleCached, stagedRunner });
        case 'cast': return doCast(m, { core, loadRunner, sampleCached, stagedRunner, thumbnails });
        default: throw new WorkerError('invalid_argument', `unknown request ${m.type}`);
      }
    });
    post({ id: m.id, ok: true, result });
  } catch (err: any) {
    const fatal = isCoreAbort(err);
    const e = fatal ? new WorkerError('internal_error', `The charid core stopped: ${err?.message ?? err}`) : CharidError.from(err);
    post({ id: m.id, ok: false, error: { code: e.code, message: e.message, fatal } });
  }
};
