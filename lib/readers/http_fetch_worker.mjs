// Worker side of http_reader.mjs: performs the fetches and hands the bytes
// over through shared memory, waking the waiting thread with Atomics.notify.
// Each answer is written only if the reader still waits for that request id
// (see http_control.mjs); a request the reader gave up on is aborted.
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL, answerWord } from './http_control.mjs';

const { url, blockSize } = workerData;
const control = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
let total = -1;
// The whole file, once a server has answered a range request with all of it
// (no range support at all, or it stopped honouring ranges mid-way): every
// later block is served from here instead of downloading the file again.
let fullBody = null;
let inflight = null;  // AbortController of the request being fetched

// Writes the answer of request `id` unless the reader has moved on. Runs
// synchronously, so a stale answer that passes the check is complete before
// any later answer is written.
function answer(id, failed, bytes) {
  if (Atomics.load(control, CONTROL.CURRENT) !== id) return;
  const n = Math.min(bytes.length, data.length);
  data.set(bytes.subarray(0, n));
  Atomics.store(control, CONTROL.LENGTH, n);
  Atomics.store(control, CONTROL.ANSWER, answerWord(id, failed));
  Atomics.notify(control, CONTROL.ANSWER);
}

const fail = (id, message) => answer(id, true, new TextEncoder().encode(String(message)));

function keepFullBody(bytes) {
  if (total >= 0 && bytes.length !== total) {
    throw new Error(`the file changed on the server while it was read (${bytes.length} bytes, was ${total})`);
  }
  fullBody = bytes;
  total = bytes.length;
}

async function open(id, signal) {
  const res = await fetch(url, { headers: { Range: 'bytes=0-0' }, signal });
  if (res.status === 206) {
    const range = res.headers.get('content-range') || '';
    const m = /\/(\d+)\s*$/.exec(range);
    await res.arrayBuffer();
    if (!m) throw new Error('the server did not say how large the file is');
    total = Number(m[1]);
  } else if (res.ok) {
    // No range support: one full download, served from memory afterwards.
    keepFullBody(new Uint8Array(await res.arrayBuffer()));
  } else {
    throw new Error(`HTTP ${res.status} ${res.statusText}`);
  }
  Atomics.store(control, CONTROL.TOTAL, total % 2 ** 31);
  Atomics.store(control, CONTROL.TOTAL_HI, Math.floor(total / 2 ** 31));
  answer(id, false, new Uint8Array(0));
}

async function read(id, offset, signal) {
  const end = Math.min(offset + blockSize, total) - 1;
  if (!fullBody) {
    const res = await fetch(url, { headers: { Range: `bytes=${offset}-${end}` }, signal });
    if (res.status === 206) {
      // The bytes must be the ones asked for, not another part of the file.
      const m = /bytes\s+(\d+)-(\d+)\//.exec(res.headers.get('content-range') || '');
      if (!m || Number(m[1]) !== offset || Number(m[2]) > end) {
        await res.body?.cancel();
        throw new Error(`the server answered bytes ${m ? `${m[1]}-${m[2]}` : '(no Content-Range)'} for a request of ${offset}-${end}`);
      }
      const part = new Uint8Array(await res.arrayBuffer());
      if (part.length !== Number(m[2]) - offset + 1) {
        throw new Error(`the server sent ${part.length} bytes for the range ${m[1]}-${m[2]}`);
      }
      return answer(id, false, part);
    }
    if (res.status !== 200) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    keepFullBody(new Uint8Array(await res.arrayBuffer()));  // range ignored from now on
  }
  return answer(id, false, fullBody.subarray(offset, end + 1));
}

parentPort.on('message', (msg) => {
  // The reader waits for one request at a time: an older one still running
  // was given up on (timed out), so stop its download.
  inflight?.abort();
  const controller = new AbortController();
  inflight = controller;
  const work = msg.op === 'open' ? open(msg.id, controller.signal) : read(msg.id, msg.offset, controller.signal);
  work
    .catch((err) => fail(msg.id, err?.cause?.code || err?.message || err))
    .finally(() => { if (inflight === controller) inflight = null; });
});
