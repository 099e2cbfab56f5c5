// The page's registry client: a thin adapter over the one client (lib/registry/client.mjs) that
// keeps this browser's API key in localStorage (one key per registry, made on first use and
// forgotten when the registry rejects it) and keeps the names the page already uses.
import { RegistryClient as Client } from '../../lib/registry/client.mjs';
import type { RequestRecord, Visibility } from '../../lib/registry/client.mjs';
import { CharidError } from '../../lib/errors.mjs';

export type { RequestRecord };

// The page branches on `code` and `status`; the one error type carries both.
export const RegistryError = CharidError;
export type RegistryError = CharidError;

export class RegistryClient {
  readonly base: string;
  private client: Client;
  private storageKey: string;

  constructor(base = '', private storage: Storage | null = globalThis.localStorage ?? null) {
    this.base = base.replace(/\/+$/, '');
    this.storageKey = `charid.key:${this.base || 'same-origin'}`;
    const store = this.storage;
    const name = this.storageKey;
    this.client = new Client(this.base, {
      keyStore: {
        get: () => store?.getItem(name) ?? null,
        set: (key: string) => store?.setItem(name, key),
        clear: () => store?.removeItem(name),
      },
      createKeyIfMissing: true,
      forgetRejectedKey: true,
    });
  }

  get log(): RequestRecord[] {
    return this.client.log;
  }

  onRequest(fn: (r: RequestRecord) => void) {
    return this.client.onRequest(fn);
  }

  request(method: string, path: string, body?: unknown, auth = true): Promise<any> {
    return this.client.request(method, path, { body, auth });
  }

  // The key of this browser: created with POST /v1/keys on first use, then kept in localStorage.
  key(): Promise<string> {
    return this.client.key();
  }

  hasKey() {
    return !!this.storage?.getItem(this.storageKey);
  }

  async register(name: string, embedding: unknown, visibility: Visibility = 'private', consent?: { basis: string }) {
    const { character } = await this.client.createCharacter({ name, embedding, visibility, consent: consent as any });
    return character;
  }

  // At most 10 pages of 100, newest first.
  list(): Promise<any[]> {
    return this.client.listAllCharacters({ pageSize: 100, maxPages: 10 });
  }

  remove(id: string) {
    return this.client.deleteCharacter(id);
  }

  get(id: string) {
    return this.client.getCharacter(id);
  }

  match(embedding: unknown, k = 5) {
    return this.client.match(embedding, { k });
  }

  verify(id: string, embedding: unknown, frames?: string[]) {
    return this.client.verify(id, embedding, { frames });
  }

  // A vector of another model for one of this key's characters: {id, models, added}.
  addEmbedding(id: string, embedding: unknown) {
    return this.client.addEmbedding(id, embedding);
  }
}
