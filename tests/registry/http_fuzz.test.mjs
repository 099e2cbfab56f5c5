// HTTP fuzzing of the real registry from docs/openapi.yaml (issue 14): for
// every documented route, generated valid and broken requests (wrong types,
// huge numbers, deep JSON, bad UTF-8, duplicate keys, wrong content types,
// truncated and chunked bodies), then broken framing over raw sockets. Every
// answer must come within a deadline, never be a 5xx, be a documented status
// of its route, and carry an error as {"error": {"code", "message"}}; the
// server must still work afterwards. Bounded to about a minute;
// CHARID_FUZZ_RUNS=N multiplies the number of runs (CHARID_FUZZ_SEED replays one).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import fc from 'fast-check';

import {
  api, createCharacter, newKey, serverForSuite, startRegistry, vectorFromSeed,
} from './helpers.mjs';
import {
  answerProblem, loadSpec, operations, rawExchange, requestArbitrary, requestBytes, validRequestArbitrary,
} from './http_fuzz_requests.mjs';

const SCALE = Number(process.env.CHARID_FUZZ_RUNS ?? 1);
const SEED = process.env.CHARID_FUZZ_SEED === undefined ? undefined : Number(process.env.CHARID_FUZZ_SEED);
const runs = (n) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED, endOnFailure: true });

// Errors a route answers before it runs, whatever the spec lists for it:
// malformed framing or a URI over the limit (400, 414), a path nothing is
// routed at (404), a method it does not take (405).
const ANY_ROUTE = new Set(['400', '404', '405', '413', '414']);

function check(r, res) {
  const problem = answerProblem(res);
  if (problem) return `${r.op.name}: ${problem}`;
  if (!r.op.statuses.has(String(res.status)) && !ANY_ROUTE.has(String(res.status))) {
    return `${r.op.name}: answered ${res.status}, not documented for it: ${res.body.slice(0, 200)}`;
  }
  return undefined;
}

const ctx = {};
let ops;
let holder;
let made = 0;

async function ownCharacter() {
  const r = await createCharacter(holder.url, ctx.key, `Fuzz own ${made++}`, vectorFromSeed(10 + made));
  assert.equal(r.status, 201, r.text);
  ctx.ownId = r.json.id;
}

describe('HTTP fuzzing from docs/openapi.yaml', () => {
  holder = serverForSuite(() => startRegistry({
    // No rate limits (the fuzzer is one client sending fast), and a short
    // request deadline so a request that never completes ends in 2 s.
    args: ['--keys-per-minute', '0', '--creates-per-second', '0', '--matches-per-second', '0', '--request-timeout-s', '2'],
  }));

  before(async () => {
    ops = operations(loadSpec());
    ctx.key = await newKey(holder.url);
    await ownCharacter();
    const other = await newKey(holder.url);
    ctx.publicId = (await createCharacter(holder.url, other, 'Fuzz public', vectorFromSeed(2), 'public')).json.id;
  });

  test('the spec documents every route the fuzzer sends to', () => {
    assert.deepEqual(ops.map((o) => o.name).sort(), [
      'DELETE /v1/characters/{id}', 'GET /healthz', 'GET /v1/characters', 'GET /v1/characters/{id}', 'POST /v1/characters',
      'POST /v1/characters/match', 'POST /v1/characters/{id}/embeddings', 'POST /v1/characters/{id}/verify', 'POST /v1/keys',
    ]);
  });

  test('generated valid and broken requests to every route', async (t) => {
    const seen = {};
    await fc.assert(fc.asyncProperty(requestArbitrary(ops), async (r) => {
      const res = await rawExchange(holder.url, requestBytes(r, ctx));
      seen[`${r.op.name} ${res.status}`] = (seen[`${r.op.name} ${res.status}`] ?? 0) + 1;
      assert.equal(check(r, res), undefined);
      // The fuzzer deleted its own character: the next runs get a new one.
      if (r.op.method === 'DELETE' && r.id === '$own' && res.status === 204) await ownCharacter();
    }), runs(800));
    // Every route also gets requests that follow the spec to the letter, and answers at least one
    // of them with a 2xx (the random mix alone reaches that on every route only by chance).
    for (const op of ops) {
      for (const r of fc.sample(validRequestArbitrary([op]), { numRuns: 6, seed: SEED })) {
        const res = await rawExchange(holder.url, requestBytes(r, ctx));
        seen[`${r.op.name} ${res.status}`] = (seen[`${r.op.name} ${res.status}`] ?? 0) + 1;
        assert.equal(check(r, res), undefined);
        if (r.op.method === 'DELETE' && res.status === 204) await ownCharacter();
      }
      assert.ok(Object.keys(seen).some((k) => k.startsWith(`${op.name} `) && /\s2\d\d$/.test(k)),
        `${op.name} never succeeded: ${JSON.stringify(seen)}`);
    }
    t.diagnostic(`answers: ${JSON.stringify(seen)}`);
  });

  test('the same requests with chunked bodies in random pieces', async () => {
    const post = () => ops.filter((o) => o.method === 'POST');
    const arb = fc.tuple(requestArbitrary(post()), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12 }));
    await fc.assert(fc.asyncProperty(arb, async ([r, chunks]) => {
      const res = await rawExchange(holder.url, requestBytes(r, ctx, { chunks }));
      assert.equal(check(r, res), undefined);
    }), runs(200));
  });

  test('several generated requests pipelined on one kept-alive connection: each answered, in order', async () => {
    const arb = fc.array(requestArbitrary(ops), { minLength: 2, maxLength: 6 });
    await fc.assert(fc.asyncProperty(arb, async (list) => {
      const bytes = Buffer.concat(list.map((r, i) => requestBytes(r, ctx, { keepAlive: i < list.length - 1 })));
      const res = await rawExchange(holder.url, bytes, { quietMs: Infinity });
      // Every request is well framed (its Content-Length is right), so each
      // gets its answer, unless the server said it closes after one.
      const closedEarly = res.all.findIndex((a) => /close/i.test(a.headers.connection ?? ''));
      const expected = closedEarly >= 0 && closedEarly < list.length - 1 ? closedEarly + 1 : list.length;
      assert.equal(res.all.length, expected, `${res.all.length} answers to ${list.length} requests: ${res.raw}`);
      res.all.forEach((a, i) => assert.equal(check(list[i], a), undefined));
    }), runs(120));
  });

  // Found by the pipelining property: httplib kept the connection open after
  // these 400s (even with "Connection: close" in the answer), so the bytes
  // after the broken request ran as a request of their own.
  test('after a request whose framing cannot be trusted the connection ends: what follows never runs', async () => {
    const target = (await createCharacter(holder.url, ctx.key, 'Not to be deleted', vectorFromSeed(77))).json.id;
    const smuggled = `DELETE /v1/characters/${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ctx.key}\r\n\r\n`;
    for (const [name, text] of [
      ['Content-Length: -1', `POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${smuggled}`],
      ['Content-Length twice', `POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}${smuggled}`],
      ['a header line over 8 kB', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8300)}${smuggled}`],
    ]) {
      const res = await rawExchange(holder.url, Buffer.from(text), { quietMs: Infinity });
      assert.deepEqual(res.all.map((a) => [a.status, a.headers.connection]), [[400, 'close']], name);
      assert.equal(answerProblem(res), undefined, name);
    }
    // The smuggled delete never ran.
    assert.equal((await api(holder.url, 'GET', `/v1/characters/${target}`, { key: ctx.key })).status, 200);
  });

  test('broken framing over raw sockets: an answer in the error shape or a close, never a hang', async () => {
    const body = JSON.stringify({ name: 'Framing', embedding: { schema: 'charid.embedding/1' } });
    const head = (lines) => `POST /v1/characters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ctx.key}\r\n`
      + `Content-Type: application/json\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
    const chunked = (text) => head(['Transfer-Encoding: chunked']) + text;
    // [name, bytes, the client stops sending before the request is whole]
    const cases = [
      ['Content-Length longer than the body, then EOF', head([`Content-Length: ${body.length + 50}`]) + body, true],
      ['Content-Length shorter than the body', head([`Content-Length: ${body.length - 5}`]) + body, false],
      ['Content-Length with spaces', head([`Content-Length:   ${body.length}  `]) + body, false],
      ['Content-Length : (space before the colon)', head([`Content-Length : ${body.length}`]) + body, false],
      ['chunk size not hex', chunked('zz\r\nabc\r\n0\r\n\r\n'), false],
      ['negative chunk size', chunked('-5\r\nabcde\r\n0\r\n\r\n'), false],
      ['chunk size past 64 bits', chunked(`${'f'.repeat(20)}\r\nabc\r\n0\r\n\r\n`), false],
      ['chunk size over the limit, no data', chunked('ffffffff\r\nabc'), true],
      ['chunk without its CRLF', chunked(`${body.length.toString(16)}\r\n${body}0\r\n\r\n`), false],
      ['chunk extension', chunked(`${body.length.toString(16)};name=value\r\n${body}\r\n0\r\n\r\n`), false],
      ['no last chunk, then EOF', chunked(`${body.length.toString(16)}\r\n${body}\r\n`), true],
      ['trailer after the last chunk', chunked(`${body.length.toString(16)}\r\n${body}\r\n0\r\nX-Trailer: 1\r\n\r\n`), false],
      ['Transfer-Encoding: gzip', head(['Transfer-Encoding: gzip']) + body, true],
      ['Transfer-Encoding: chunked, gzip', head(['Transfer-Encoding: chunked, gzip']) + body, true],
      ['Transfer-Encoding twice', head(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked']) + `2\r\n{}\r\n0\r\n\r\n`, false],
      ['header without a colon', head(['NoColonHere']) + body, true],
      ['folded header line', head([`Content-Length: ${body.length}`, 'X-A: a', ' continued']) + body, false],
      ['NUL in a header', head([`Content-Length: ${body.length}`, 'X-A: a\u0000b']) + body, false],
      ['bytes over 0x7F in a header name', head([`Content-Length: ${body.length}`, '\u00ff\u00fe: x']) + body, false],
      ['a 20 kB header', head([`Content-Length: ${body.length}`, `X-Big: ${'x'.repeat(20000)}`]) + body, false],
      ['300 headers', head([`Content-Length: ${body.length}`, ...Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`)]) + body, false],
      ['bare LF line endings', `POST /v1/keys HTTP/1.1\nHost: x\nContent-Length: 2\nContent-Type: application/json\n\n{}`, false],
      ['request line without a version', 'GET /healthz\r\nHost: x\r\n\r\n', false],
      ['HTTP/9.9', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', false],
      ['HTTP/1.0 without Host', 'GET /healthz HTTP/1.0\r\n\r\n', false],
      ['two spaces in the request line', 'GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['absolute-form target', 'GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['asterisk-form OPTIONS', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['unknown method', 'BREW /v1/keys HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['a 100 kB URI', `GET /v1/characters/${'a'.repeat(100000)} HTTP/1.1\r\nHost: x\r\n\r\n`, false],
      ['NUL in the path', 'GET /v1/charac\u0000ters HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['bytes over 0x7F in the path', 'GET /v1/characters/\u00ff\u00c0 HTTP/1.1\r\nHost: x\r\n\r\n', false],
      ['binary garbage', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003', true],
      ['only CRLFs', '\r\n\r\n\r\n\r\n', true],
      ['headers never end, then EOF', 'GET /healthz HTTP/1.1\r\nHost: x\r\n', true],
      ['a keep-alive request, then a broken one', `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/keys HTTP/1.1\r\nContent-Length: -1\r\n\r\n{}`, false],
    ];
    const arb = fc.tuple(fc.constantFrom(...cases), fc.constantFrom(0, 0, 1, 7, 64), fc.boolean());
    const failures = [];
    await fc.assert(fc.asyncProperty(arb, async ([[name, text, incomplete], piece, end]) => {
      const bytes = Buffer.from(text, 'latin1');
      // Whole, or in pieces a few ms apart (a slow client).
      const pieces = piece ? Array.from({ length: Math.ceil(bytes.length / piece) }, (_, i) => bytes.subarray(i * piece, (i + 1) * piece)) : [bytes];
      const res = await rawExchange(holder.url, pieces.slice(0, 400).concat(pieces.length > 400 ? [Buffer.concat(pieces.slice(400))] : []),
        { endAfter: end || incomplete, gapMs: piece ? 1 : 0 });
      // A request the client never finished may be closed without a word.
      if (res.status === undefined && incomplete) return;
      const problem = answerProblem(res);
      if (problem) failures.push(`${name}: ${problem}`);
      assert.equal(problem, undefined, `${name}: ${problem}`);
    }), runs(cases.length * 3));
    assert.deepEqual(failures, []);
  });

  test('the server still answers afterwards and stored nothing half-made', async () => {
    assert.equal(holder.server.proc.exitCode, null, 'the server exited');
    assert.equal((await api(holder.url, 'GET', '/healthz')).status, 200);
    const after = await createCharacter(holder.url, ctx.key, 'After the fuzz', vectorFromSeed(99));
    assert.equal(after.status, 201, after.text);
    assert.equal((await api(holder.url, 'GET', `/v1/characters/${after.json.id}`, { key: ctx.key })).status, 200);
    // Another key's character is out of the fuzzer's reach: still there.
    assert.equal((await api(holder.url, 'GET', `/v1/characters/${ctx.publicId}`, { key: ctx.key })).status, 200);
    assert.doesNotMatch(holder.server.stderr(), /internal error/);
  });
});

