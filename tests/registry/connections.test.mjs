// Connection handling under load, bursts and slow clients, against the real
// server on loopback: no connection reset, no client starved.
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';

import { newKey, serversStoppedAfterFile } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
    // Every connection comes from one address: no per-address cap here.
    const s = await start({ args: ['--connections-per-address', '0'] });
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

  test('idle connections and a body sent a byte at a time do not starve a normal client', async () => {
    const s = await start({ args: ['--threads', '32', '--connections-per-address', '8', '--request-timeout-s', '2'] });
    const { hostname, port } = new URL(s.url);
    // Each held socket records what the server answered and when it closed.
    const hold = (localAddress, onConnect) => {
      const socket = connect({ host: hostname, port: Number(port), localAddress });
      const state = { socket, data: '', closedAt: 0, opened: Date.now() };
      socket.on('connect', () => onConnect?.(socket));
      socket.on('data', (d) => { state.data += d; });
      socket.on('error', () => {});
      socket.on('close', () => { state.closedAt = Date.now(); });
      return state;
    };
    // 30 connections from one address that never send a byte: capped at 8.
    const idle = Array.from({ length: 30 }, () => hold('127.0.0.2'));
    // 8 from another that send a body of 200 bytes, one byte every 300 ms.
    const timers = [];
    const slow = Array.from({ length: 8 }, () => hold('127.0.0.3', (socket) => {
      socket.write(`POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`);
      timers.push(setInterval(() => socket.writable && socket.write(' '), 300));
    }));
    try {
      await sleep(300);
      for (let i = 0; i < 6; i++) {
        const r = await requestOnNewConnection(s.url, { timeoutMs: 5000 });
        assert.equal(r.status, 200, JSON.stringify(r));
        assert.ok(r.ms < 1000, `request ${i} took ${r.ms} ms while slow clients held connections`);
        await sleep(400);
      }
      // Past its cap, an address is refused at once, in the error shape.
      const refused = idle.filter((c) => c.data.startsWith('HTTP/1.1 429'));
      assert.ok(refused.length >= 22, `${refused.length} of 30 idle connections refused`);
      assert.match(refused[0].data, /"code":"rate_limited"/);
      // The slow bodies ran out of time: 408, connection closed.
      for (const c of slow) {
        assert.match(c.data, /^HTTP\/1.1 408/, c.data);
        assert.match(c.data, /"code":"request_timeout"/);
        assert.ok(c.closedAt > 0 && c.closedAt - c.opened < 3500, `a slow body held its connection for ${c.closedAt ? c.closedAt - c.opened : 'ever'} ms`);
      }
    } finally {
      for (const t of timers) clearInterval(t);
      for (const c of [...idle, ...slow]) c.socket.destroy();
    }
  });
});
