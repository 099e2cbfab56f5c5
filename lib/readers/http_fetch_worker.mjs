// Worker side of http_reader.mjs: performs the fetches and hands the bytes
// over through shared memory, waking the waiting thread with Atomics.notify.
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL } from './http_control.mjs';

const { url, blockSize } = workerData;
const control = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
let total = -1;
let fullBody = null;  // set when the server ignores ranges

function finish(state, length) {
  Atomics.store(control, CONTROL.LENGTH, length);
  Atomics.store(control, CONTROL.STATE, state);
  Atomics.notify(control, CONTROL.STATE);
}

function fail(message) {
  const bytes = new TextEncoder().encode(String(message)).slice(0, data.length);
  data.set(bytes);
  finish(2, bytes.length);
}

function copyOut(bytes) {
  const n = Math.min(bytes.length, data.length);
  data.set(bytes.subarray(0, n));
  finish(1, n);
}

async function open() {
  const res = await fetch(url, { headers: { Range: 'bytes=0-0' } });
  if (res.status === 206) {
    const range = res.headers.get('content-range') || '';
    const m = /\/(\d+)\s*$/.exec(range);
    await res.arrayBuffer();
    if (!m) throw new Error('the server did not say how large the file is');
    total = Number(m[1]);
  } else if (res.ok) {
    // No range support: one full download, served from memory afterwards.
    fullBody = new Uint8Array(await res.arrayBuffer());
    total = fullBody.length;
  } else {
    throw new Error(`HTTP ${res.status} ${res.statusText}`);
  }
  Atomics.store(control, CONTROL.TOTAL, total % 2 ** 31);
  Atomics.store(control, CONTROL.TOTAL_HI, Math.floor(total / 2 ** 31));
  finish(1, 0);
}

async function read(offset) {
  if (fullBody) return copyOut(fullBody.subarray(offset, offset + blockSize));
  const end = Math.min(offset + blockSize, total) - 1;
  const res = await fetch(url, { headers: { Range: `bytes=${offset}-${end}` } });
  if (res.status !== 206 && res.status !== 200) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  let bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status === 200) bytes = bytes.subarray(offset, end + 1);  // range ignored this time
  copyOut(bytes);
}

parentPort.on('message', (msg) => {
  const work = msg.op === 'open' ? open() : read(msg.offset);
  work.catch((err) => fail(err?.cause?.code || err?.message || err));
});
