// Connection handling under load, bursts and slow clients, against the real
// server on loopback: no connection reset, no client starved.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';

import { newKey, serversStoppedAfterFile } from './helpers.mjs';

const start = serversStoppedAfterFile();

// One request on a new connection (no keep-alive agent); resolves with the
// status or the error code, never rejects.
function requestOnNewConnection(url, { path = '/healthz', headers = {}, timeoutMs = 20000, localAddress } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const req = http.request({ host: hostname, port, path, agent: false, headers, localAddress, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, ms: Date.now() - started }));
      res.on('error', (e) => resolve({ error: e.code ?? e.message, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ error: e.code ?? e.message, ms: Date.now() - started }));
    req.end();
  });
}

function tally(results) {
  const out = {};
  for (const r of results) {
    const k = r.error ?? String(r.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe('connections', () => {
  test('a burst of 200 new connections while the server is busy: every one answered, none reset', async () => {
    const s = await start();
    // Stopped, the server accepts nothing: every connection waits in the
    // listen backlog, as it does when the accept thread is starved of CPU.
    process.kill(s.proc.pid, 'SIGSTOP');
    const pending = Array.from({ length: 200 }, () => requestOnNewConnection(s.url));
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(s.proc.pid, 'SIGCONT');
    const results = await Promise.all(pending);
    assert.deepEqual(tally(results), { 200: 200 });
    // With a backlog of 5, the connections beyond it were dropped and retried
    // by the client's kernel after 1, 3, 7, 15 s.
    const slowest = Math.max(...results.map((r) => r.ms));
    assert.ok(slowest < 4000, `slowest answer took ${slowest} ms`);
  });

  test('32 clients opening a new connection per request for 3 s: no reset', async () => {
    const s = await start();
    const key = await newKey(s.url);
    const results = [];
    const end = Date.now() + 3000;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (Date.now() < end) {
        results.push(await requestOnNewConnection(s.url, {
          path: '/v1/characters?limit=5', headers: { authorization: `Bearer ${key}` },
        }));
      }
    }));
    assert.ok(results.length > 500, `only ${results.length} requests in 3 s`);
    assert.deepEqual(tally(results), { 200: results.length });
  });
});
