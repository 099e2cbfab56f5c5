// The registry client of the page: API v1 (docs/openapi.yaml), the API key kept in localStorage,
// and a log of every request with its size in bytes (the "what leaves the device" panel).
import { bodyBytes } from './logic';

export type RequestRecord = {
  time: number;
  method: string;
  path: string;
  status: number | 'failed';
  sent: number; // request body bytes
  received: number; // response body bytes
};

export class RegistryError extends Error {
  constructor(public code: string, message: string, public status = 0) {
    super(message);
  }
}

export class RegistryClient {
  readonly base: string;
  readonly log: RequestRecord[] = [];
  private listeners = new Set<(r: RequestRecord) => void>();
  private storageKey: string;

  constructor(base = '', private storage: Storage | null = globalThis.localStorage ?? null) {
    this.base = base.replace(/\/$/, '');
    this.storageKey = `charid.key:${this.base || 'same-origin'}`;
  }

  onRequest(fn: (r: RequestRecord) => void) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async request(method: string, path: string, body?: unknown, auth = true): Promise<any> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = `Bearer ${await this.key()}`;
    const rec: RequestRecord = { time: Date.now(), method, path, status: 'failed', sent: bodyBytes(text), received: 0 };
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: text });
    } catch (err: any) {
      this.record(rec);
      throw new RegistryError('network_error', err?.message ?? 'network error');
    }
    const raw = await res.text();
    rec.status = res.status;
    rec.received = bodyBytes(raw);
    this.record(rec);
    let json: any = null;
    try {
      json = raw ? JSON.parse(raw) : null;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const e = json?.error ?? { code: `http_${res.status}`, message: res.statusText };
      if (e.code === 'unauthorized' && auth) this.storage?.removeItem(this.storageKey);
      throw new RegistryError(e.code, e.message, res.status);
    }
    return json;
  }

  private record(r: RequestRecord) {
    this.log.push(r);
    for (const fn of this.listeners) fn(r);
  }

  private keyPromise: Promise<string> | null = null;
  // The key of this browser: created with POST /v1/keys on first use, then kept in localStorage.
  key(): Promise<string> {
    const stored = this.storage?.getItem(this.storageKey);
    if (stored) return Promise.resolve(stored);
    this.keyPromise ??= (async () => {
      try {
        const r = await this.request('POST', '/v1/keys', {}, false);
        this.storage?.setItem(this.storageKey, r.key);
        return r.key as string;
      } finally {
        this.keyPromise = null;
      }
    })();
    return this.keyPromise;
  }

  hasKey() {
    return !!this.storage?.getItem(this.storageKey);
  }

  register(name: string, embedding: unknown, visibility = 'private') {
    return this.request('POST', '/v1/characters', { name, embedding, visibility });
  }

  async list(): Promise<any[]> {
    const out: any[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const r = await this.request('GET', `/v1/characters?limit=100${after ? `&after=${after}` : ''}`);
      out.push(...r.data);
      if (!r.has_more || !r.data.length) break;
      after = r.data[r.data.length - 1].id;
    }
    return out;
  }

  remove(id: string) {
    return this.request('DELETE', `/v1/characters/${encodeURIComponent(id)}`);
  }

  get(id: string) {
    return this.request('GET', `/v1/characters/${encodeURIComponent(id)}`);
  }

  match(embedding: unknown, limit = 5) {
    return this.request('POST', '/v1/characters/match', { embedding, limit });
  }
}
