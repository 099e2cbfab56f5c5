// Probing and sampling over HTTP against a local server: with range requests
// (only the needed bytes travel) and without (one full download).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { charid, media } from './helpers.mjs';

const FILE = media('Zulko__moviepy/big_buck_bunny_0_30.webm');
let server;
let base;
const log = [];

before(async () => {
  server = http.createServer((req, res) => {
    const file = FILE;
    const size = fs.statSync(file).size;
    const noRanges = req.url.startsWith('/noranges/');
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range || '');
    if (req.url.endsWith('/missing.mp4')) {
      res.writeHead(404).end('not found');
      return;
    }
    if (range && !noRanges) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      log.push({ url: req.url, bytes: end - start + 1 });
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
      fs.createReadStream(file, { start, end }).pipe(res);
    } else {
      log.push({ url: req.url, bytes: size });
      res.writeHead(200, { 'Content-Length': size });
      fs.createReadStream(file).pipe(res);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test('probe over HTTP uses range requests and reads a fraction of the file', async () => {
  log.length = 0;
  const r = await charid(['probe', `${base}/v/bunny.webm`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.source.codec, 'vp8');
  assert.equal(r.json.source.bytes, fs.statSync(FILE).size);
  const fetched = log.reduce((n, e) => n + e.bytes, 0);
  assert.ok(log.length >= 1);
  assert.ok(fetched < fs.statSync(FILE).size, `fetched ${fetched} bytes of ${fs.statSync(FILE).size}`);
});

test('frames over HTTP equal frames from the local file', async () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-url-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-url-'));
  const remote = await charid(['frames', `${base}/v/bunny.webm`, '--out', a, '--count', '4']);
  const local = await charid(['frames', FILE, '--out', b, '--count', '4']);
  assert.equal(remote.code, 0, remote.stderr);
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(fs.readFileSync(remote.json.frames[i].file), fs.readFileSync(local.json.frames[i].file));
  }
});

test('a server that ignores ranges still works (one full download)', async () => {
  log.length = 0;
  const r = await charid(['probe', `${base}/noranges/bunny.webm`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.source.codec, 'vp8');
});

test('an HTTP error is unreadable_input with the status in the message', async () => {
  const r = await charid(['probe', `${base}/missing.mp4`, '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.json.error.code, 'unreadable_input');
  assert.match(r.json.error.message, /404/);
});

test('an unreachable host is unreadable_input, not a hang', async () => {
  const r = await charid(['probe', 'http://127.0.0.1:9/nothing.mp4', '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.json.error.code, 'unreadable_input');
});
