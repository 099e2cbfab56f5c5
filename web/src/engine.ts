// The ES module API for web editors:
//
//   const engine = createCharacterEngine({ registry: 'https://ids.example', modelBase: '/models/' });
//   engine.addEventListener('progress', (e) => console.log(e.detail.stage));
//   const probe = await engine.probe(file);
//   const { payload } = await engine.embed(file, { start: 0 });
//   const character = await engine.register('Mira', payload);   // { id: 'char_...', ... }
//   await engine.ready;
//   const { similarity, verdict } = engine.compare(payloadA, payloadB);   // synchronous
//   engine.close();                                                       // ends the Worker
//
// Heavy work runs in a Worker (worker.ts); cancel() stops it at once (the Worker is replaced), and
// so does a Worker whose wasm module died (the calls then reject with internal_error).
//
// Assets: the Worker script (npm package only), core/ (the wasm core) and ort/ (ONNX Runtime Web's
// wasm files) are fetched at run time under `assetBase`, like ONNX Runtime Web's `wasmPaths`; the
// model manifest and files under `modelBase`. In this repository's app Vite bundles the Worker and
// assetBase is the app's base; the npm package (web/package/build.mjs) defines __CHARID_PACKAGE__
// and loads `worker.js` from assetBase, whose default is the package's assets/ folder beside this
// module (right when the package is served as files; a bundler user copies assets/ and sets it).
import { RegistryClient } from './registry';
import { CharidError } from '../../lib/errors.mjs';
import { comparePayloads } from '../../lib/identity/pipeline.mjs';
import { vectorMath } from './vector_math';
import { expectedNames, scoreCast } from '../../lib/cast/cast.mjs';

// Set (to true) by the npm package build only; undefined in the app's Vite builds. Tested inline
// (not through a const) so that esbuild folds each test and drops the branch not taken.
declare const __CHARID_PACKAGE__: boolean | undefined;

export type EngineOptions = {
  registry?: string; // base URL of the registry, path kept; '' = this page's origin
  modelBase?: string; // where manifest.json and the model files are served (default `${registry}/models/`)
  assetBase?: string; // where core/, ort/ (and the package's worker.js) are served (default: this app's base)
  allowLowRes?: boolean;
  threads?: number; // at most this many ORT threads (threads need crossOriginIsolated)
  // false: decode with the core's own decoders even where WebCodecs serves (tests, benchmarks);
  // default: WebCodecs first, unless the page's URL says ?webcodecs=0.
  webcodecs?: boolean;
};

// The page's ?webcodecs=0 switch (kept by this name: the benchmark and the tests use it).
function webcodecsAllowedByPage(): boolean {
  try {
    return new URLSearchParams(globalThis.location?.search ?? '').get('webcodecs') !== '0';
  } catch {
    return true;
  }
}

// model: an embedding model of the manifest (default: lib/identity's current one).
export type EmbedOptions = { start?: number; box?: [number, number, number, number] | null; allowLowRes?: boolean; count?: number; model?: string };
export type Consent = { basis: 'self' | 'permission' | 'fictional' | 'not_a_person' };
export type ReadyInfo = { simd: boolean; isolated: boolean; threads: number; embeddings: any[] };

// Errors of the engine: CharidError with the Worker's or the registry's code. internal_error
// means the engine itself failed (its module died); invalid_argument a caller's mistake.
export class EngineError extends CharidError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'EngineError';
  }
}

// The models' base under the registry, keeping any path the registry URL has.
export function modelBaseOf(registry: string, here: string): string {
  if (!registry) return new URL('/models/', here).href;
  const base = new URL(registry, here);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL('models/', base).href;
}

// The app's base (Vite's BASE_URL), or in the npm package its assets/ folder beside this module
// (through a variable, so that a bundler does not take it for one asset to copy).
function defaultAssetBase(): string {
  if (!(typeof __CHARID_PACKAGE__ !== 'undefined' && __CHARID_PACKAGE__)) return import.meta.env?.BASE_URL ?? '/';
  const moduleUrl = import.meta.url;
  return new URL('assets/', moduleUrl).href;
}

export class CharacterEngine extends EventTarget {
  readonly registry: RegistryClient;
  private worker: Worker | null = null;
  private next = 1;
  private pending = new Map<number, { type: string; resolve: (v: any) => void; reject: (e: any) => void }>();
  private config: { assetBase: string; modelBase: string; threads?: number };
  private embeddings: any[] | null = null;
  private closed = false;
  ready: Promise<ReadyInfo>;

  constructor(private options: EngineOptions = {}) {
    super();
    const registry = options.registry ?? '';
    this.registry = new RegistryClient(registry);
    this.config = {
      assetBase: new URL(options.assetBase ?? defaultAssetBase(), location.href).href,
      modelBase: options.modelBase ?? modelBaseOf(registry, location.href),
      threads: options.threads,
    };
    this.ready = this.start();
  }

  private start(): Promise<ReadyInfo> {
    // The literal `new Worker(new URL('./worker.ts', import.meta.url))` is what Vite bundles; the
    // package build drops that branch.
    const worker = (typeof __CHARID_PACKAGE__ !== 'undefined' && __CHARID_PACKAGE__)
      ? new Worker(new URL('worker.js', this.config.assetBase), { type: 'module' })
      : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.progress) {
        this.dispatchEvent(new CustomEvent('progress', { detail: m.progress }));
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new EngineError(m.error.code, m.error.message));
      if (!m.ok && m.error.fatal) this.replace(worker, m.error.message);
    };
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      this.replace(worker, ev.message || 'the engine stopped');
    };
    const ready = this.call('init', { config: this.config, warm: true }) as Promise<ReadyInfo>;
    ready.then((info) => {
      this.embeddings = info.embeddings;
      this.dispatchEvent(new CustomEvent('ready', { detail: info }));
    }, () => {});
    return ready;
  }

  // A Worker that failed (its wasm module aborted, or it threw): every call it held rejects with
  // internal_error and a fresh Worker takes its place.
  private replace(worker: Worker, why: string) {
    if (worker !== this.worker) return;
    worker.terminate();
    this.rejectAll('internal_error', `The engine stopped (${why}); it has been restarted. Try again.`);
    if (!this.closed) this.ready = this.start();
  }

  private rejectAll(code: string, message: string) {
    for (const p of this.pending.values()) p.reject(new EngineError(code, message));
    this.pending.clear();
  }

  private call(type: string, args: Record<string, unknown> = {}): Promise<any> {
    if (this.closed) return Promise.reject(new EngineError('invalid_argument', 'This engine was closed; create a new one.'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve, reject });
      this.worker!.postMessage({ id, type, ...args });
    });
  }

  // True while a probe, sample, embed or drift is running in the Worker.
  get busy() {
    return [...this.pending.values()].some((p) => p.type !== 'init');
  }

  // Stops whatever runs now; pending calls reject with code "cancelled". The engine stays usable.
  cancel() {
    if (this.closed) return;
    this.worker?.terminate();
    this.rejectAll('cancelled', 'cancelled');
    this.ready = this.start();
  }

  // Ends the Worker for good (the custom element calls it when it leaves the page).
  close() {
    if (this.closed) return;
    this.closed = true;
    this.worker?.terminate();
    this.worker = null;
    this.rejectAll('cancelled', 'cancelled');
  }

  private options_(o: EmbedOptions) {
    const webcodecs = this.options.webcodecs ?? webcodecsAllowedByPage();
    return { start: o.start ?? 0, allowLowRes: o.allowLowRes ?? this.options.allowLowRes, count: o.count ?? 16, webcodecs };
  }

  async probe(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('probe', { file, start: o.start ?? 0, allowLowRes: o.allowLowRes ?? this.options.allowLowRes });
  }

  async sample(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('sample', { file, ...this.options_(o) });
  }

  async embed(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('embed', { file, ...this.options_(o), box: o.box ?? null, ...(o.model ? { model: o.model } : {}) });
  }

  // Each sampled frame of `file` against a character's payload. Clips below 720p are accepted.
  async drift(file: Blob, payload: unknown, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('drift', { file, payload, ...this.options_(o), box: o.box ?? null });
  }

  // A reference pack (charid.pack/1) of the window, made in the Worker from its sampled frames:
  // {manifest, files: [{name, bytes}]}. Nothing of it is sent anywhere.
  async pack(file: Blob, o: EmbedOptions & { id?: string; name?: string } = {}) {
    await this.ready;
    return this.call('pack', { file, ...this.options_(o), box: o.box ?? null, characterId: o.id, name: o.name, ...(o.model ? { model: o.model } : {}) });
  }

  // Who is in this clip: the Worker finds and embeds the tracks, then each track's vector is
  // matched on the registry (or verified against each of `expect`). Clips below 720p are accepted.
  async cast(file: Blob, o: EmbedOptions & { expect?: string[] } = {}) {
    await this.ready;
    const client = { match: (p: unknown, q: { k: number }) => this.registry.match(p, q.k), verify: (id: string, p: unknown) => this.registry.verify(id, p), getCharacter: (id: string) => this.registry.get(id) };
    const names = await expectedNames(client, o.expect ?? []); // an unknown ID is said before the long work
    const found = await this.call('cast', { file, ...this.options_(o) });
    return { ...(await scoreCast(client, found, { expect: o.expect ?? [], threshold: found.threshold, names })), thumbnails: found.thumbnails, source: found.source, timings: found.timings };
  }

  // Similarity of two payloads and the verdict at their model's calibrated threshold, with
  // lib/identity's rule; synchronous (the model list comes with `ready`).
  compare(a: any, b: any): { model: string; similarity: number; threshold?: number; verdict: string } {
    if (!this.embeddings) throw new EngineError('invalid_argument', 'Wait for engine.ready before compare().');
    try {
      return comparePayloads(vectorMath, { embeddings: this.embeddings }, a, b);
    } catch (err) {
      throw CharidError.from(err, 'invalid_argument');
    }
  }

  // The identity model's calibrated threshold (undefined when the model is unknown).
  threshold(model: string): number | undefined {
    return this.embeddings?.find((e) => e.model === model)?.threshold;
  }

  async register(name: string, payload: unknown, o: { visibility?: 'private' | 'unlisted' | 'public'; consent?: Consent | null } = {}) {
    this.dispatchEvent(new CustomEvent('progress', { detail: { stage: 'registering' } }));
    return this.registry.register(name, payload, o.visibility ?? 'private', o.consent ?? undefined);
  }

  // The registered characters most like `payload` (the caller's own and public ones), best first.
  async match(payload: unknown, k = 5): Promise<{ id: string; name: string; score: number }[]> {
    const r = await this.registry.match(payload, k);
    return r?.matches ?? [];
  }
}

export function createCharacterEngine(options: EngineOptions = {}) {
  return new CharacterEngine(options);
}
