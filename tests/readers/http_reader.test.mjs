// The HTTP range reader against a real local server that misbehaves on
// purpose: late replies, a server that stops honouring ranges mid-way, and
// one that answers a range with other bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../lib/core_module.mjs';
import { openHttpReader } from '../../lib/readers/http_reader.mjs';
import { openFileReader } from '../../lib/readers/file_reader.mjs';
import { startMisbehavingServer } from './misbehaving_server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = path.resolve(root, '..', 'shared', 'fixtures', 'media', 'bramp__ffmpeg-cli-wrapper', 'big_buck_bunny_720p_1mb.mp4');
const bytes = fs.readFileSync(FILE);
const BLOCK = 64 * 1024;
let server;

before(async () => { server = await startMisbehavingServer(FILE); });
after(() => server.close());

function readAt(reader, offset, length) {
  const view = new Uint8Array(length);
  const n = reader.readInto(offset, view);
  return n < 0 ? null : view.subarray(0, n);
}

test('a late reply to a timed-out read does not answer the next read', async () => {
  // Request 0 opens; request 1 (block 0) answers at 4 s, after the 3 s
  // timeout; request 2 (block 1) answers 1.5 s after it is sent (at 4.5 s),
  // so request 1's late reply arrives while the reader waits for request 2.
  // (Wide margins: the machine running the tests may be busy.)
  const reader = openHttpReader(`${server.base}/late.mp4?delays=0,4000,1500`, { blockSize: BLOCK, timeoutMs: 3000 });
  try {
    assert.equal(reader.size, bytes.length);
    assert.equal(readAt(reader, 100, 64), null);
    assert.match(reader.lastError, /no answer .* in 3 s/);
    const second = readAt(reader, BLOCK + 10, 4096);
    assert.ok(second, reader.lastError);
    assert.deepEqual(Buffer.from(second), bytes.subarray(BLOCK + 10, BLOCK + 10 + 4096));
    // and the block that timed out reads fine when asked again
    assert.deepEqual(Buffer.from(readAt(reader, 100, 64)), bytes.subarray(100, 164));
  } finally {
    reader.close();
  }
});

test('a server that stops honouring ranges mid-way is downloaded whole once, not once per block', async () => {
  // Requests 0 (open) and 1 get ranges; from request 2 on the whole file.
  const reader = openHttpReader(`${server.base}/stops.mp4?ranges=2`, { blockSize: BLOCK, timeoutMs: 10_000 });
  try {
    // Reads as the demuxer does: 10 kB at a time, a read stops at a block's end.
    const out = Buffer.alloc(bytes.length);
    for (let offset = 0; offset < bytes.length;) {
      const got = readAt(reader, offset, Math.min(10_000, bytes.length - offset));
      assert.ok(got && got.length > 0, `read at ${offset}: ${reader.lastError}`);
      out.set(got, offset);
      offset += got.length;
    }
    assert.ok(out.equals(bytes), 'every byte equals the file');
    const log = (await server.log()).filter((e) => e.path === '/stops.mp4');
    const full = log.filter((e) => e.status === 200);
    assert.equal(full.length, 1, `full downloads: ${full.length} of ${log.length} requests`);
    assert.ok(log.length <= 3, `${log.length} requests`);
  } finally {
    reader.close();
  }
});

test('a range answered with other bytes is a failed read, not wrong bytes', async () => {
  // This server answers every range 7 bytes further on, and says so in Content-Range.
  const reader = openHttpReader(`${server.base}/shifted.mp4?shift=7`, { blockSize: BLOCK, timeoutMs: 10_000 });
  try {
    assert.equal(readAt(reader, BLOCK + 5, 100), null);
    assert.match(reader.lastError, /answered bytes 65543-131078 for a request of 65536-131071/);
  } finally {
    reader.close();
  }
});

test('the core samples the same frames over a server that stops honouring ranges as from the file', async () => {
  const core = await loadCore();
  const options = { count: 4, maxShortSide: 64 };
  const local = openFileReader(FILE);
  const remote = openHttpReader(`${server.base}/core.mp4?ranges=3`, { blockSize: BLOCK, timeoutMs: 10_000 });
  try {
    const want = core.sample(local, options, null);
    const got = core.sample(remote, options, null);
    assert.equal(want.ok, true, JSON.stringify(want.error));
    assert.equal(got.ok, true, JSON.stringify(got.error));
    assert.deepEqual(got.frames.map((f) => f.timestamp), want.frames.map((f) => f.timestamp));
    got.frames.forEach((f, i) => assert.deepEqual(f.rgb, want.frames[i].rgb, `frame ${i}`));
    const full = (await server.log()).filter((e) => e.path === '/core.mp4' && e.status === 200);
    assert.equal(full.length, 1);
  } finally {
    local.close();
    remote.close();
  }
});
