// The one client of the charid registry, API v1 (docs/openapi.yaml), shared by the CLI, the page,
// the custom element and the engine API. Plain ES module over fetch: no DOM, no Node-only imports.
//
// - The base URL keeps its path: `https://host/ids` + `/v1/keys` -> `https://host/ids/v1/keys`
//   (a registry behind a reverse proxy under a prefix); '' means the page's own origin.
// - Every API error `{"error": {code, message, ...}}` is thrown as a CharidError with the HTTP
//   status and the error's other fields as `details`; an unreachable registry (or one that does
//   not answer within `timeoutMs`) is `network_error`.
// - Every request is logged with the bytes it sent and received (the page's "what left this
//   device" panel); listeners see each record as it completes.
// - Where the key lives is the caller's choice: `keyStore` is `{ get(), set(key), clear() }`
//   (the page wraps localStorage, the CLI its config file); `key` gives one directly.
import { CharidError } from '../errors.mjs';

const encoder = new TextEncoder();
const byteLength = (text) => (text ? encoder.encode(text).length : 0);

// A character id as the API spells it; checked before it is put into a path.
const ID_PATTERN = /^char_[0-9A-Za-z]{16,}$/;

export class RegistryClient {
  // options: { key, keyStore, createKeyIfMissing (POST /v1/keys on first use, as the page does),
  //            forgetRejectedKey (clear the store on 401), timeoutMs, fetch }
  constructor(baseUrl = '', options = {}) {
    this.baseUrl = normaliseBaseUrl(baseUrl);
    this.log = [];
    this.listeners = new Set();
    this.fixedKey = options.key || null;
    this.keyStore = options.keyStore ?? null;
    this.createKeyIfMissing = Boolean(options.createKeyIfMissing);
    this.forgetRejectedKey = Boolean(options.forgetRejectedKey);
    this.timeoutMs = options.timeoutMs ?? 30000;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.pendingKey = null;
  }

  /** Calls fn(record) after every request; returns a function that stops it. */
  onRequest(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Total bytes sent and received so far, and the number of requests. */
  traffic() {
    return this.log.reduce((t, r) => ({ requests: t.requests + 1, sent: t.sent + r.sent, received: t.received + r.received }),
      { requests: 0, sent: 0, received: 0 });
  }

  // --- keys -------------------------------------------------------------------------------

  /** POST /v1/keys -> { key, credits }. Does not store the key (see login()). */
  createKey() {
    return this.request('POST', '/v1/keys', { body: {}, auth: false });
  }

  /** Creates a key and saves it in the key store -> { key, credits }. */
  async login() {
    const created = await this.createKey();
    await this.keyStore?.set(created.key);
    this.fixedKey = null;
    return created;
  }

  /** Whether a key is at hand without asking the registry. */
  async hasKey() {
    return Boolean(this.fixedKey || (await this.keyStore?.get()));
  }

  /** The key requests are signed with: given, stored, or (createKeyIfMissing) made now. */
  async key() {
    if (this.fixedKey) return this.fixedKey;
    const stored = await this.keyStore?.get();
    if (stored) return stored;
    if (!this.createKeyIfMissing) {
      throw new CharidError('unauthorized', 'No API key: log in first (charid login), or pass a key.', { status: 0 });
    }
    // Concurrent first requests share one new key rather than making several.
    this.pendingKey ??= this.login().then((r) => r.key).finally(() => { this.pendingKey = null; });
    return this.pendingKey;
  }

  // --- routes -----------------------------------------------------------------------------

  /** GET /healthz -> { status: 'ok' }. */
  health() {
    return this.request('GET', '/healthz', { auth: false });
  }

  /**
   * POST /v1/characters -> { character, created }. `created` is false when this key already
   * registered this name with this vector (the registry's idempotency: 200, no new ID, no credit).
   * fields: { name, embedding, visibility?, consent?: { basis } }
   */
  async createCharacter(fields) {
    const body = { name: fields.name, embedding: fields.embedding };
    if (fields.visibility !== undefined) body.visibility = fields.visibility;
    if (fields.consent !== undefined) body.consent = fields.consent;
    const { json, status } = await this.send('POST', '/v1/characters', { body });
    return { character: json, created: status === 201 };
  }

  /** GET /v1/characters -> { data, has_more }, newest first. options: { limit, after } */
  listCharacters({ limit, after } = {}) {
    const query = new URLSearchParams();
    if (limit !== undefined) query.set('limit', String(limit));
    if (after) query.set('after', after);
    const qs = query.toString();
    return this.request('GET', `/v1/characters${qs ? `?${qs}` : ''}`);
  }

  /** Every character of the key, following the pages (at most maxPages of pageSize). */
  async listAllCharacters({ pageSize = 100, maxPages = 10000 } = {}) {
    const all = [];
    let after;
    for (let page = 0; page < maxPages; page++) {
      const r = await this.listCharacters({ limit: pageSize, after });
      all.push(...r.data);
      if (!r.has_more || !r.data.length) break;
      after = r.data[r.data.length - 1].id;
    }
    return all;
  }

  /** GET /v1/characters/{id} -> the character. */
  async getCharacter(id) {
    return this.request('GET', characterPath(id));
  }

  /** DELETE /v1/characters/{id} (owner only). */
  async deleteCharacter(id) {
    await this.request('DELETE', characterPath(id));
  }

  /** POST /v1/characters/match -> { matches: [{ id, name, score }] }, best first. */
  match(embedding, { k } = {}) {
    const body = { embedding };
    if (k !== undefined) body.k = k;
    return this.request('POST', '/v1/characters/match', { body });
  }

  /**
   * POST /v1/characters/{id}/verify -> { id, model, score, threshold, verdict, frames }.
   * frames: optional base64 int8 vectors of single frames (same model and dims, at most 64),
   * each scored against the character on the server.
   */
  async verify(id, embedding, { frames } = {}) {
    const body = { embedding };
    if (frames !== undefined) body.frames = frames;
    return this.request('POST', `${characterPath(id)}/verify`, { body });
  }

  /**
   * POST /v1/characters/{id}/embeddings: a vector of another model for the same character (owner
   * only) -> { id, models, added } (added: false when the character already held this vector).
   */
  async addEmbedding(id, embedding) {
    const { json, status } = await this.send('POST', `${characterPath(id)}/embeddings`, { body: { embedding } });
    return { ...json, added: status === 201 };
  }

  // --- transport --------------------------------------------------------------------------

  /** Any route -> its JSON body (null when empty). options: { body, auth = true } */
  async request(method, path, options = {}) {
    return (await this.send(method, path, options)).json;
  }

  async send(method, path, { body, auth = true } = {}) {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    const key = auth ? await this.key() : null;
    if (key) headers.Authorization = `Bearer ${key}`;
    const record = { time: Date.now(), method, path, status: 'failed', sent: byteLength(text), received: 0 };
    let res;
    let raw;
    try {
      ({ res, raw } = await this.fetchOnce(method, path, headers, text));
    } catch (err) {
      // A connection kept alive from an earlier request may have been closed by the server
      // (it ends idle connections after a few seconds) while this thread was busy, e.g. running
      // inference: the request then fails on the dead socket without reaching the server. One
      // retry on a fresh connection is safe because every route is read-only or idempotent
      // (create, add embedding: same key + same vector -> same character). A timeout is not retried.
      if (err?.name === 'TimeoutError') {
        this.record(record);
        throw networkError(this.baseUrl, err);
      }
      try {
        ({ res, raw } = await this.fetchOnce(method, path, headers, text));
      } catch (again) {
        this.record(record);
        throw networkError(this.baseUrl, again);
      }
    }
    record.status = res.status;
    record.received = byteLength(raw);
    this.record(record);
    const json = parseJson(raw);
    if (!res.ok) {
      if (res.status === 401 && auth && this.forgetRejectedKey) await this.keyStore?.clear();
      throw apiError(res, json);
    }
    return { json, status: res.status };
  }

  async fetchOnce(method, path, headers, text) {
    const res = await this.fetchImpl(this.baseUrl + path, {
      method, headers, body: text, signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { res, raw: await res.text() };
  }

  record(r) {
    this.log.push(r);
    for (const fn of this.listeners) fn(r);
  }
}

function normaliseBaseUrl(baseUrl) {
  const base = String(baseUrl ?? '').trim().replace(/\/+$/, '');
  if (base && !/^https?:\/\/[^/]/i.test(base) && !base.startsWith('/')) {
    throw new CharidError('invalid_argument', `The registry URL must start with http:// or https://, not "${baseUrl}".`);
  }
  return base;
}

function characterPath(id) {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new CharidError('invalid_argument', `"${id}" is not a character ID (char_ followed by letters and digits).`);
  }
  return `/v1/characters/${id}`;
}

function parseJson(raw) {
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function apiError(res, json) {
  const e = json?.error;
  if (e && typeof e.code === 'string') {
    const { code, message, ...rest } = e;
    return new CharidError(code, message || `The registry answered ${res.status}.`, {
      status: res.status, details: Object.keys(rest).length ? rest : undefined,
    });
  }
  return new CharidError(`http_${res.status}`, `The registry answered ${res.status} ${res.statusText || ''}`.trim() + '.', { status: res.status });
}

function networkError(baseUrl, err) {
  const where = baseUrl || 'this page\'s origin';
  const timedOut = err?.name === 'TimeoutError';
  const why = timedOut ? 'it did not answer in time' : (err?.cause?.code || err?.message || 'network error');
  return new CharidError('network_error', `The registry at ${where} could not be reached (${why}).`, { cause: err });
}
