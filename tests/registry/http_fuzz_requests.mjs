// The HTTP fuzzer's parts (tests/registry/http_fuzz.test.mjs): the operations
// of docs/openapi.yaml read from the spec, fast-check arbitraries for valid
// and broken requests to them, and a raw-socket client that sends exact bytes
// (bad UTF-8, duplicate headers, chunked and truncated bodies) and reads back
// whatever the server answers, with a deadline so a hang is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';

import { DIMS, embedding, OTHER_DIMS, PARTS_DIMS, repoRoot, vectorFromSeed } from './helpers.mjs';

// The spec with every $ref resolved (Redocly, as openapi.test.mjs reads it).
export function loadSpec() {
  const dir = mkdtempSync(join(tmpdir(), 'charid-fuzz-spec-'));
  try {
    const out = join(dir, 'spec.json');
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/redocly'),
      ['bundle', join(repoRoot, 'docs/openapi.yaml'), '--dereferenced', '--ext', 'json', '-o', out],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60000, env: { ...process.env, REDOCLY_TELEMETRY: 'off' } });
    if (r.status !== 0) throw new Error(`redocly bundle failed: ${r.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Every documented operation: method, path template, body schema, query
// parameters and the statuses it may answer.
export function operations(spec) {
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      ops.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        body: op.requestBody?.content?.['application/json']?.schema,
        query: params.filter((p) => p.in === 'query'),
        secured: (op.security ?? spec.security ?? []).length > 0,
        statuses: new Set(Object.keys(op.responses)),
      });
    }
  }
  return ops;
}

// Percent-encodes every byte of the UTF-8 form but the unreserved ones
// (encodeURIComponent throws on a lone surrogate).
const pct = (s) => [...Buffer.from(s)].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
  ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

// Numbers and strings that break naive parsers.
const nastyNumber = fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 2 ** 64, -(2 ** 63), 1e-320, 0.1, 4096, 65536);
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u00a0\u00a0', '\u2028', '\u0085', '\u0000', 'a\u0000b', '\ud800', '%ff%00', '../../etc/passwd',
    'x'.repeat(5000), 'char_', 'ck_', '{}', 'null', '1e999'),
);
const nastyValue = fc.oneof(
  nastyNumber, nastyString, fc.constantFrom(null, true, false, [], {}, [[[]]], { a: { b: { c: {} } } }),
  fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: false }),
);

// A value of a (dereferenced OpenAPI 3.0) schema, near its edges.
function valueOf(schema, depth = 0) {
  if (!schema || depth > 4) return nastyValue;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record = {};
      for (const [k, s] of Object.entries(props)) record[k] = valueOf(s, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
    }
    case 'string':
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: -2, max: 2, noNaN: true });
    case 'array':
      return fc.array(valueOf(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 8) });
    case 'boolean':
      return fc.boolean();
    default:
      return nastyValue;
  }
}

// A real payload the server accepts (each of the test manifest's models),
// for the schemas' "embedding" properties: random bytes would never get
// past the first check.
const realEmbedding = fc.record({
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  dims: fc.constantFrom(DIMS, OTHER_DIMS, PARTS_DIMS),
}).map(({ seed, dims }) => embedding(vectorFromSeed(seed, dims)));

function bodyOf(schema, embeddingArbitrary = realEmbedding) {
  if (!schema) return fc.constant(undefined);
  const base = valueOf(schema);
  if (!schema.properties?.embedding) return base;
  return fc.tuple(base, embeddingArbitrary).map(([b, e]) => ({ ...b, embedding: e }));
}

// One change that makes a valid body invalid (or leaves it valid).
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set'), path: fc.array(fc.constantFrom('embedding', 'name', 'k', 'frames', 'vector', 'dims', 'scale', 'model', 'subject', 'window', 'box', 'kind', 'warnings', 'timings_ms', 'consent', 'basis', 'visibility', 'schema', 'dtype'), { minLength: 1, maxLength: 3 }), value: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop'), key: fc.constantFrom('embedding', 'name', 'vector', 'model', 'dims', 'scale', 'schema') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace'), value: nastyValue }) },
);

function applyMutation(body, m) {
  if (m.kind === 'replace') return m.value;
  if (body === undefined || body === null || typeof body !== 'object') return body;
  const copy = structuredClone(body);
  if (m.kind === 'drop') {
    delete copy[m.key];
    if (copy.embedding && typeof copy.embedding === 'object') delete copy.embedding[m.key];
    return copy;
  }
  if (m.kind === 'set') {
    let at = copy;
    for (const key of m.path.slice(0, -1)) {
      if (!at[key] || typeof at[key] !== 'object') at[key] = {};
      at = at[key];
    }
    at[m.path.at(-1)] = m.value;
  }
  return copy;
}

// How the body's bytes are written: plain JSON, or JSON broken in one of the
// ways parsers get wrong.
const encoding = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'json' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate'), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate-key'), key: fc.constantFrom('name', 'embedding', 'k', 'schema') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep'), depth: fc.constantFrom(64, 1000, 20000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad-utf8'), bytes: fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0x00]) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge-number'), text: fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '0.' + '0'.repeat(400) + '1', '-0', '1E400', '18446744073709551616') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes'), bytes: fc.uint8Array({ maxLength: 200 }) }) },
);

function encode(body, enc) {
  const json = body === undefined ? '' : JSON.stringify(body) ?? '';
  switch (enc.kind) {
    case 'truncate':
      return Buffer.from(json.slice(0, Math.floor(json.length * enc.at)));
    case 'duplicate-key':
      return Buffer.from(json.startsWith('{') ? `{"${enc.key}":17,${json.slice(1)}` : json);
    case 'deep':
      return Buffer.from(`{"name":${'['.repeat(enc.depth)}${']'.repeat(enc.depth)},"embedding":${'{"a":'.repeat(Math.min(enc.depth, 5000))}1${'}'.repeat(Math.min(enc.depth, 5000))}}`);
    case 'bad-utf8': {
      // Inside the first string value, where a parser must check UTF-8.
      const i = json.indexOf('":"');
      if (i < 0) return Buffer.concat([Buffer.from(json), Buffer.from(enc.bytes)]);
      return Buffer.concat([Buffer.from(json.slice(0, i + 3)), Buffer.from(enc.bytes), Buffer.from(json.slice(i + 3))]);
    }
    case 'huge-number':
      return Buffer.from(json.replace(/(?<=[:,[])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,}\]])/, enc.text));
    case 'bytes':
      return Buffer.from(enc.bytes);
    default:
      return Buffer.from(json);
  }
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=utf-8', 'APPLICATION/JSON',
    'application/jsonx', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json;;;',
    'application/\u00ff\u00c4json') },
);

// Path parameters: a real id of the caller, someone else's, or junk.
const idParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('$own', '$public', 'char_0000000000000000', 'char_nosuchcharacter000') },
  { weight: 2, arbitrary: nastyString.map(pct) },
  { weight: 1, arbitrary: fc.constantFrom('%ff', '%00', '%c0%af', '..%2f..', 'a%2Fb', '%', '%zz', 'x'.repeat(3000)) },
);

const auth = fc.oneof(
  { weight: 6, arbitrary: fc.constant('Bearer $key') },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'Bearer', 'Bearer ', 'Bearer ck_', 'Basic abc', '$key', 'bearer $key', 'Bearer  $key', 'Bearer $key $key',
    'Bearer ck_\u00ff\u00fe', `Bearer ck_${'A'.repeat(32)}`, `Bearer ${'x'.repeat(9000)}`) },
);

const queryValue = fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), nastyString.map(pct),
  fc.constantFrom('', '1e3', '0x10', '99999999999999999999', '-0', '%ff'));

export function requestArbitrary(ops) {
  return fc.constantFrom(...ops).chain((op) => fc.record({
    op: fc.constant(op),
    body: bodyOf(op.body),
    mutation,
    encoding,
    contentType,
    id: idParam,
    auth,
    query: fc.array(fc.tuple(fc.constantFrom(...op.query.map((q) => q.name), 'junk'), queryValue), { maxLength: 3 }),
  }));
}

// Requests that follow the spec to the letter: no mutation, plain JSON, the caller's key, the
// caller's own character, an embedding of that character's model. The random mix above reaches a
// 2xx on a route like verify only about once in a hundred tries (a real id, the right model, no
// mutation, a good key and content type all at once), so these show that every route can succeed.
export function validRequestArbitrary(ops) {
  const ownModel = fc.integer({ min: 1, max: 1 << 30 }).map((seed) => embedding(vectorFromSeed(seed, DIMS)));
  return fc.constantFrom(...ops).chain((op) => fc.record({
    op: fc.constant(op),
    // verify's `frames` must be vectors of the payload's size, which the schema cannot say: left out
    body: bodyOf(op.body, ownModel).map((b) => {
      if (b && typeof b === 'object' && !Array.isArray(b)) delete b.frames;
      return b;
    }),
    mutation: fc.constant({ kind: 'none' }),
    encoding: fc.constant({ kind: 'json' }),
    contentType: fc.constant('application/json'),
    id: fc.constant('$own'),
    auth: fc.constant('Bearer $key'),
    query: fc.constant([]),
  }));
}

// The request's bytes, with a Content-Length or as a chunked body.
export function requestBytes(r, ctx, { chunks, keepAlive = false } = {}) {
  const id = r.id === '$own' ? ctx.ownId : r.id === '$public' ? ctx.publicId : r.id;
  let target = r.op.path.replace('{id}', id);
  if (r.query.length) target += `?${r.query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const headers = [`Host: fuzz`, keepAlive ? 'Connection: keep-alive' : 'Connection: close'];
  if (r.auth !== undefined) headers.push(`Authorization: ${r.auth.replaceAll('$key', ctx.key)}`);
  let body = Buffer.alloc(0);
  if (r.op.method === 'POST') {
    body = encode(applyMutation(r.body, r.mutation), r.encoding);
    if (r.contentType !== undefined) headers.push(`Content-Type: ${r.contentType}`);
  }
  const head = (extra) => Buffer.from(`${r.op.method} ${target} HTTP/1.1\r\n${[...headers, ...extra].join('\r\n')}\r\n\r\n`, 'latin1');
  if (!chunks) return Buffer.concat([head(r.op.method === 'POST' ? [`Content-Length: ${body.length}`] : []), body]);
  const parts = [];
  let at = 0;
  for (const size of chunks) {
    if (at >= body.length) break;
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    at += size;
  }
  if (at < body.length) parts.push(Buffer.from(`${(body.length - at).toString(16)}\r\n`), body.subarray(at), Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat([head(['Transfer-Encoding: chunked']), ...parts]);
}

// Sends `bytes` (or a list of pieces written `gapMs` apart), optionally
// half-closes, and resolves with the parsed answer once the server closes or
// a whole response has come and nothing follows for `quietMs` (a kept-alive
// connection): { status, headers, body, ms }, or { status: undefined } when
// it closed without a word. Rejects on a hang: neither within `deadlineMs`.
export function rawExchange(url, pieces, { endAfter = false, gapMs = 0, deadlineMs = 8000, quietMs = 150 } = {}) {
  const { hostname, port } = new URL(url);
  const list = Array.isArray(pieces) ? pieces : [pieces];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks = [];
    const socket = connect(Number(port), hostname, async () => {
      for (const p of list) {
        if (socket.destroyed) return;
        socket.write(p);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (endAfter && !socket.destroyed) socket.end();
    });
    let quiet;
    let settled = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${deadlineMs} ms`));
    }, deadlineMs);
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      const all = Buffer.concat(chunks);
      resolve({ ...parseResponse(all), all: parseResponses(all), ms: Date.now() - started });
    };
    socket.on('data', (d) => {
      chunks.push(d);
      clearTimeout(quiet);
      if (Number.isFinite(quietMs) && parseResponse(Buffer.concat(chunks)).whole) quiet = setTimeout(done, quietMs);
    });
    socket.on('error', () => { /* a reset after the answer still counts as closed */ });
    socket.on('close', done);
  });
}

// Every whole response in `buf`, in order (a kept-alive connection's answers).
export function parseResponses(buf) {
  const out = [];
  let rest = buf;
  while (rest.length) {
    const r = parseResponse(rest);
    if (r.status === undefined || !r.whole) break;
    out.push(r);
    rest = rest.subarray(r.consumed);
  }
  return out;
}

// The first response in `buf` (and how many status lines the bytes held).
export function parseResponse(buf) {
  const text = buf.toString('latin1');
  const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].length;
  const m = text.match(/^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/);
  if (!m) return { status: undefined, raw: text.slice(0, 200), responses: statuses };
  const end = text.indexOf('\r\n\r\n');
  const headers = {};
  for (const line of text.slice(m[0].length, end).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  if (end < 0) return { status: Number(m[1]), headers, body: '', responses: statuses, raw: text.slice(0, 300) };
  let body = buf.subarray(end + 4);
  // 204 and 304 have no body, whatever the headers say.
  const bodiless = m[1] === '204' || m[1] === '304';
  const length = bodiless ? 0 : headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const whole = length !== undefined && body.length >= length;
  const consumed = end + 4 + (length ?? 0);
  if (length !== undefined) body = body.subarray(0, length);
  return { status: Number(m[1]), headers, body: body.toString('utf8'), responses: statuses, whole, consumed, raw: text.slice(0, 300) };
}

// What every answer must be: never a 5xx, and an error in the
// {"error": {"code", "message"}} shape as JSON.
export function answerProblem(res) {
  if (res.status === undefined) return `no HTTP answer: ${JSON.stringify(res.raw)}`;
  if (res.status >= 500) return `${res.status}: ${res.body.slice(0, 200)}`;
  if (res.status < 400) return undefined;
  if (!/^application\/json/.test(res.headers['content-type'] ?? '')) return `${res.status} as ${res.headers['content-type']}`;
  let json;
  try { json = JSON.parse(res.body); } catch { return `${res.status} body is not JSON: ${res.body.slice(0, 200)}`; }
  if (typeof json?.error?.code !== 'string' || typeof json?.error?.message !== 'string' || !json.error.message) {
    return `${res.status} not in the error shape: ${res.body.slice(0, 200)}`;
  }
  return undefined;
}
