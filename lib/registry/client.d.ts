// Types of lib/registry/client.mjs (the one registry client, API v1: docs/openapi.yaml).
export type RequestRecord = {
  time: number;
  method: string;
  path: string;
  status: number | 'failed';
  sent: number; // request body bytes
  received: number; // response body bytes
};

export interface KeyStore {
  get(): string | null | undefined | Promise<string | null | undefined>;
  set(key: string): void | Promise<void>;
  clear(): void | Promise<void>;
}

export type ClientOptions = {
  key?: string;
  keyStore?: KeyStore | null;
  createKeyIfMissing?: boolean;
  forgetRejectedKey?: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
};

export type Visibility = 'private' | 'unlisted' | 'public';
export type ConsentBasis = 'self' | 'permission' | 'fictional' | 'not_a_person';

export type Character = {
  id: string;
  name: string;
  created_at: string;
  model: string;
  visibility: Visibility;
  models?: string[];
  consent?: { basis: ConsentBasis; recorded_at?: string } | null;
  [field: string]: unknown;
};

export type Match = { id: string; name: string; score: number; [field: string]: unknown };

export type VerifyResult = {
  id: string;
  model: string;
  score: number;
  threshold: number;
  verdict: 'same' | 'different';
  frames?: number[];
};

export declare class RegistryClient {
  constructor(baseUrl?: string, options?: ClientOptions);
  readonly baseUrl: string;
  readonly log: RequestRecord[];
  onRequest(fn: (r: RequestRecord) => void): () => boolean;
  traffic(): { requests: number; sent: number; received: number };
  createKey(): Promise<{ key: string; credits: number | null }>;
  login(): Promise<{ key: string; credits: number | null }>;
  hasKey(): Promise<boolean>;
  key(): Promise<string>;
  health(): Promise<{ status: 'ok' }>;
  createCharacter(fields: {
    name: string;
    embedding: unknown;
    visibility?: Visibility;
    consent?: { basis: ConsentBasis };
  }): Promise<{ character: Character; created: boolean }>;
  listCharacters(options?: { limit?: number; after?: string }): Promise<{ data: Character[]; has_more: boolean }>;
  listAllCharacters(options?: { pageSize?: number; maxPages?: number }): Promise<Character[]>;
  getCharacter(id: string): Promise<Character>;
  deleteCharacter(id: string): Promise<void>;
  match(embedding: unknown, options?: { k?: number }): Promise<{ matches: Match[] }>;
  verify(id: string, embedding: unknown, options?: { frames?: string[] }): Promise<VerifyResult>;
  addEmbedding(id: string, embedding: unknown): Promise<{ id: string; models: string[]; added: boolean }>;
  request(method: string, path: string, options?: { body?: unknown; auth?: boolean }): Promise<any>;
}
