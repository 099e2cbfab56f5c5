// A reader over an http(s) URL with the synchronous interface the wasm core
// needs (it calls readInto from inside a decode). The fetches run in a worker
// thread; this thread blocks on Atomics.wait until each block has arrived.
//
// Bytes are fetched with HTTP range requests in blocks of BLOCK_SIZE, so only
// the parts the demuxer asks for travel. A server that ignores ranges (answers
// 200 with the whole body) is read once in full, as the only way left.
import { Worker } from 'node:worker_threads';
import { MediaError } from '../media_error.mjs';
import { CONTROL } from './http_control.mjs';

const BLOCK_SIZE = 1 << 20;  // 1 MiB per request: few round trips, little waste
const TIMEOUT_MS = 30_000;

const { STATE, LENGTH, TOTAL, TOTAL_HI } = CONTROL;

export function openHttpReader(url) {
  const control = new Int32Array(new SharedArrayBuffer(16));
  const data = new Uint8Array(new SharedArrayBuffer(BLOCK_SIZE));
  const worker = new Worker(new URL('./http_fetch_worker.mjs', import.meta.url), {
    workerData: { url, control: control.buffer, data: data.buffer, blockSize: BLOCK_SIZE },
  });
  worker.unref();

  const call = (message) => {
    Atomics.store(control, STATE, 0);
    worker.postMessage(message);
    const waited = Atomics.wait(control, STATE, 0, TIMEOUT_MS);
    if (waited === 'timed-out') return { ok: false, error: `no answer from ${url} in ${TIMEOUT_MS / 1000} s` };
    if (Atomics.load(control, STATE) === 2) {
      return { ok: false, error: new TextDecoder().decode(data.slice(0, Atomics.load(control, LENGTH))) };
    }
    return { ok: true, length: Atomics.load(control, LENGTH) };
  };

  const opened = call({ op: 'open' });
  if (!opened.ok) {
    worker.terminate();
    throw new MediaError('unreadable_input', `Could not download ${url}: ${opened.error}. Check the address and that the server is reachable.`);
  }
  const size = Atomics.load(control, TOTAL_HI) * 2 ** 31 + Atomics.load(control, TOTAL);

  // The last block received, kept so consecutive small reads need no request.
  let cachedStart = -1;
  let cached = new Uint8Array(0);
  const reader = {
    size,
    bytesFetched: 0,
    requests: 0,
    readInto(offset, view) {
      if (offset >= size) return 0;
      if (!(offset >= cachedStart && offset < cachedStart + cached.length)) {
        const blockStart = Math.floor(offset / BLOCK_SIZE) * BLOCK_SIZE;
        const got = call({ op: 'read', offset: blockStart });
        if (!got.ok) return -1;
        cached = data.slice(0, got.length);
        cachedStart = blockStart;
        this.bytesFetched += got.length;
        this.requests += 1;
      }
      const from = offset - cachedStart;
      const n = Math.min(view.length, cached.length - from);
      view.set(cached.subarray(from, from + n));
      return n;
    },
    close() {
      worker.terminate();
    },
  };
  return reader;
}
