// The ES module API for web editors:
//
//   const engine = createCharacterEngine({ registry: 'https://ids.example', modelBase: '/models/' });
//   engine.addEventListener('progress', (e) => console.log(e.detail.stage));
//   const probe = await engine.probe(file);
//   const { payload } = await engine.embed(file, { start: 0 });
//   const character = await engine.register('Mira', payload);   // { id: 'char_...', ... }
//   const { similarity, verdict } = await engine.compare(payloadA, payloadB);
//
// Heavy work runs in a Worker (worker.ts); cancel() stops it at once (the Worker is replaced).
import { RegistryClient } from './registry';

export type EngineOptions = {
  registry?: string; // base URL of the registry; '' = this page's origin
  modelBase?: string; // where the model files are served (default `${registry}/models/`)
  assetBase?: string; // where core/ and ort/ are served (default: this app's base)
  allowLowRes?: boolean;
  threads?: number; // at most this many ORT threads (threads need crossOriginIsolated)
};

export type EmbedOptions = { start?: number; box?: [number, number, number, number] | null; allowLowRes?: boolean; count?: number };

export class EngineError extends Error {
  constructor(public code: string, message: string) {
    super(message);
  }
}

export class CharacterEngine extends EventTarget {
  readonly registry: RegistryClient;
  private worker: Worker | null = null;
  private next = 1;
  private pending = new Map<number, { type: string; resolve: (v: any) => void; reject: (e: any) => void }>();
  private config: { assetBase: string; modelBase: string; threads?: number };
  ready: Promise<{ simd: boolean; isolated: boolean; threads: number }>;

  constructor(private options: EngineOptions = {}) {
    super();
    const registry = options.registry ?? '';
    this.registry = new RegistryClient(registry);
    const here = new URL(import.meta.env?.BASE_URL ?? '/', location.href).href;
    this.config = {
      assetBase: options.assetBase ?? here,
      modelBase: options.modelBase ?? new URL('/models/', registry || location.href).href,
      threads: options.threads,
    };
    this.ready = this.start();
  }

  private start() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev) => {
      const m = ev.data;
      const p = this.pending.get(m.id);
      if (m.progress) {
        this.dispatchEvent(new CustomEvent('progress', { detail: m.progress }));
        return;
      }
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new EngineError(m.error.code, m.error.message));
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      for (const p of this.pending.values()) p.reject(new EngineError('invalid_argument', ev.message || 'the engine stopped'));
      this.pending.clear();
    };
    const ready = this.call('init', { config: this.config, warm: true });
    ready.then((info) => this.dispatchEvent(new CustomEvent('ready', { detail: info })), () => {});
    return ready;
  }

  private call(type: string, args: Record<string, unknown> = {}): Promise<any> {
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
    this.worker?.terminate();
    for (const p of this.pending.values()) p.reject(new EngineError('cancelled', 'cancelled'));
    this.pending.clear();
    this.ready = this.start();
  }

  async probe(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('probe', { file, start: o.start ?? 0, allowLowRes: o.allowLowRes ?? this.options.allowLowRes });
  }

  async sample(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('sample', { file, start: o.start ?? 0, allowLowRes: o.allowLowRes ?? this.options.allowLowRes, count: o.count ?? 16 });
  }

  async embed(file: Blob, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('embed', { file, start: o.start ?? 0, box: o.box ?? null, allowLowRes: o.allowLowRes ?? this.options.allowLowRes, count: o.count ?? 16 });
  }

  async drift(file: Blob, payload: unknown, o: EmbedOptions = {}) {
    await this.ready;
    return this.call('drift', { file, payload, start: o.start ?? 0, box: o.box ?? null, allowLowRes: o.allowLowRes ?? this.options.allowLowRes, count: o.count ?? 16 });
  }

  async compare(a: unknown, b: unknown) {
    await this.ready;
    return this.call('compare', { a, b });
  }

  async register(name: string, payload: unknown) {
    this.dispatchEvent(new CustomEvent('progress', { detail: { stage: 'registering' } }));
    return this.registry.register(name, payload);
  }
}

export function createCharacterEngine(options: EngineOptions = {}) {
  return new CharacterEngine(options);
}
