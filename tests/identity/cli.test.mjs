// `charid embed` and `charid compare` as a user runs them: local files, an http URL (a local
// server with range requests), saved payloads, and rejected input with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../../models/fetch.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const clips = path.resolve(root, '../shared/fixtures/clips');
const cli = path.join(root, 'cli', 'charid.mjs');

function charid(args) {
  return new Promise((resolve) => {
    // async spawn so the in-process HTTP server keeps answering
    import('node:child_process').then(({ spawn }) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: root });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  });
}

function serveRanges(file) {
  const bytes = fs.readFileSync(file);
  const server = http.createServer((req, res) => {
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), bytes.length - 1) : bytes.length - 1;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1, 'accept-ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test.before(() => ensureModels({ quiet: true }));

test('embed over http equals embed of the local file; compare of saved payloads says same', async () => {
  const server = await serveRanges(path.join(clips, 'signer_yellow_a.mp4'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-cli-'));
  try {
    const url = `http://127.0.0.1:${server.address().port}/signer_yellow_a.mp4`;
    const remote = await charid(['embed', url, '--json', '--allow-low-res']);
    assert.equal(remote.status, 0, remote.stderr);
    const local = await charid(['embed', path.join(clips, 'signer_yellow_a.mp4'), '--json', '--allow-low-res']);
    assert.equal(local.status, 0, local.stderr);
    assert.equal(JSON.parse(remote.stdout).vector, JSON.parse(local.stdout).vector);
    const other = await charid(['embed', path.join(clips, 'signer_yellow_b.mp4'), '--json', '--allow-low-res']);
    fs.writeFileSync(path.join(tmp, 'a.json'), local.stdout);
    fs.writeFileSync(path.join(tmp, 'b.json'), other.stdout);
    const cmp = await charid(['compare', path.join(tmp, 'a.json'), path.join(tmp, 'b.json'), '--json']);
    assert.equal(cmp.status, 0, cmp.stderr);
    const r = JSON.parse(cmp.stdout);
    assert.equal(r.ok, true);
    assert.equal(r.verdict, 'same');
    assert.ok(r.similarity > r.threshold);
  } finally {
    server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('rejected input exits 2 with a typed error', async () => {
  const low = await charid(['embed', path.join(clips, 'signer_grey_a.mp4'), '--json']);
  assert.equal(low.status, 2);
  assert.equal(JSON.parse(low.stdout).error.code, 'resolution_too_low');
  const missing = await charid(['embed', path.join(clips, 'no_such_clip.mp4'), '--json']);
  assert.equal(missing.status, 2);
  assert.equal(JSON.parse(missing.stdout).error.code, 'unreadable_input');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-cli-'));
  try {
    fs.writeFileSync(path.join(tmp, 'bad.json'), JSON.stringify({ schema: 'charid.embedding/1', model: 'charid-id@1', dims: 3, dtype: 'int8', scale: 1, vector: 'AAAA' }));
    const bad = await charid(['compare', path.join(tmp, 'bad.json'), path.join(tmp, 'bad.json'), '--json']);
    assert.equal(bad.status, 2);
    assert.equal(JSON.parse(bad.stdout).error.code, 'invalid_argument');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const usage = spawnSync(process.execPath, [cli, 'embed', 'x.mp4', '--box', '0.5,0.5,0.9,0.2']);
  assert.equal(usage.status, 1);
  assert.match(usage.stderr.toString(), /--box is normalised/);
});
