// Types of `charid/engine` (web/src/engine.ts, built into dist/package/engine.js).
import { CharidError } from 'charid/errors';
import { RegistryClient as Client, Character, Match, Visibility, ConsentBasis } from 'charid/registry';

export type EngineOptions = {
  /** Base URL of the registry (its path is kept); '' = this page's origin. */
  registry?: string;
  /** Where manifest.json and the model files are served; default `${registry}/models/`. */
  modelBase?: string;
  /** Where the package's assets/ folder (worker.js, core/, ort/) is served; default: assets/ beside engine.js. */
  assetBase?: string;
  allowLowRes?: boolean;
  /** At most this many ONNX Runtime threads (threads need a cross-origin isolated page). */
  threads?: number;
  /** false: decode with the core's own decoders even where WebCodecs serves; default WebCodecs first. */
  webcodecs?: boolean;
};

export type Box = [x: number, y: number, width: number, height: number];
/** model: an embedding model of the manifest (default: the current one). */
export type EmbedOptions = { start?: number; box?: Box | null; allowLowRes?: boolean; count?: number; model?: string };
export type Consent = { basis: ConsentBasis };
export type EmbeddingSpec = { model: string; threshold?: number; [field: string]: unknown };
export type ReadyInfo = { simd: boolean; isolated: boolean; threads: number; embeddings: EmbeddingSpec[] };
/** A charid.embedding/1 payload (docs/schemas/charid.embedding-1.schema.json). */
export type EmbeddingPayload = { schema: 'charid.embedding/1'; model: string; dims: number; vector: string; [field: string]: unknown };
export type SourceWindow = { start: number; end: number };
export type Source = {
  container: string; codec: string; width: number; height: number; display_width: number; display_height: number;
  rotation: number; duration: number; fps: number; bytes: number; has_audio: boolean;
};
export type ProbeResult = { source: Source; window: SourceWindow; warnings: string[] };
export type Thumbnail = { timestamp: number; width: number; height: number; jpeg: Blob };
export type SampleResult = ProbeResult & { quality: unknown; frames: Thumbnail[]; decodeMs: number };
export type EmbedResult = {
  payload: EmbeddingPayload;
  subject: { kind: string; found: number; boxes: Box[] };
  frameTimes: number[];
  source: Source;
  threshold?: number;
  timings: Record<string, number>;
  [field: string]: unknown;
};
export type DriftResult = {
  similarities: number[];
  overall: CompareResult;
  subject: EmbedResult['subject'];
  source: Source;
  frames: Thumbnail[];
  timings: Record<string, number>;
};
/** A reference pack (charid.pack/1, docs/schemas/charid.pack-1.schema.json): pack.json and its images. */
export type PackResult = { manifest: { schema: 'charid.pack/1'; [field: string]: unknown }; files: { name: string; bytes: Uint8Array }[] };
export type CastTrack = {
  track: number; kind: string; frames: { t: number; box: Box }[];
  best: { id: string; name: string; score: number; verdict: string } | null;
  candidates: { id: string; name: string; score: number; verdict: string }[];
};
export type CastResult = {
  tracks: CastTrack[];
  expected: { id: string; name?: string; found: boolean; [field: string]: unknown }[];
  thumbnails: Thumbnail[]; source: Source; timings: Record<string, number | string>;
};
export type CompareResult = { model: string; similarity: number; threshold?: number; verdict: string };
export type Progress = { stage: string; done?: number; total?: number };

/** Errors of the engine: branch on `code` (the core's input codes, the registry's, cancelled, ...). */
export declare class EngineError extends CharidError {}

/** engine.registry: the page's registry client (the API key kept in localStorage, one per registry). */
export interface EngineRegistry {
  readonly base: string;
  register(name: string, embedding: unknown, visibility?: Visibility, consent?: Consent): Promise<Character>;
  list(): Promise<Character[]>;
  get(id: string): Promise<Character>;
  remove(id: string): Promise<void>;
  match(embedding: unknown, k?: number): ReturnType<Client['match']>;
  verify(id: string, embedding: unknown, frames?: string[]): ReturnType<Client['verify']>;
  addEmbedding(id: string, embedding: unknown): ReturnType<Client['addEmbedding']>;
}

export declare class CharacterEngine extends EventTarget {
  constructor(options?: EngineOptions);
  readonly registry: EngineRegistry;
  /** Resolves once the Worker has loaded the wasm core and the model manifest. */
  ready: Promise<ReadyInfo>;
  /** True while a probe, sample, embed or drift runs. */
  readonly busy: boolean;
  probe(file: Blob, options?: EmbedOptions): Promise<ProbeResult>;
  sample(file: Blob, options?: EmbedOptions): Promise<SampleResult>;
  embed(file: Blob, options?: EmbedOptions): Promise<EmbedResult>;
  drift(file: Blob, payload: EmbeddingPayload, options?: EmbedOptions): Promise<DriftResult>;
  /** A reference pack of the window, made on this device from the frames already sampled; nothing is sent. */
  pack(file: Blob, options?: EmbedOptions & { id?: string; name?: string }): Promise<PackResult>;
  /** Who is in this clip: tracks found and embedded here, matched (or verified against `expect`) on the registry. */
  cast(file: Blob, options?: EmbedOptions & { expect?: string[] }): Promise<CastResult>;
  /** Synchronous, after `ready`; throws EngineError invalid_argument for payloads it cannot compare. */
  compare(a: EmbeddingPayload, b: EmbeddingPayload): CompareResult;
  threshold(model: string): number | undefined;
  register(name: string, payload: EmbeddingPayload, options?: { visibility?: Visibility; consent?: Consent | null }): Promise<Character>;
  match(payload: EmbeddingPayload, k?: number): Promise<Match[]>;
  /** Stops the running job; pending calls reject with code "cancelled". The engine stays usable. */
  cancel(): void;
  /** Ends the Worker for good. */
  close(): void;
  addEventListener(type: 'progress', listener: (ev: CustomEvent<Progress>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'ready', listener: (ev: CustomEvent<ReadyInfo>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

export declare function createCharacterEngine(options?: EngineOptions): CharacterEngine;
/** The models' base under a registry URL, keeping its path. */
export declare function modelBaseOf(registry: string, here: string): string;
