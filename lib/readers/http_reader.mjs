// A reader over an http(s) URL with the synchronous interface the wasm core
// needs (it calls readInto from inside a decode). The fetches run in a worker
// thread; this thread blocks on Atomics.wait until each block has arrived.
//
// Bytes are fetched with HTTP range requests in blocks of BLOCK_SIZE, so only
// the parts the demuxer asks for travel. A server that ignores ranges (answers
// 200 with the whole body), from the start or from some request on, is read
// once in full, as the only way left.
import { Worker } from 'node:worker_threads';
import { MediaError } from '../media_error.mjs';
import { CONTROL, CONTROL_WORDS, answerFailed, answerId, nextRequestId } from './http_control.mjs';

const BLOCK_SIZE = 1 << 20;  // 1 MiB per request: few round trips, little waste
const TIMEOUT_MS = 30_000;

const { CURRENT, ANSWER, LENGTH, TOTAL, TOTAL_HI } = CONTROL;

// options: { blockSize, timeoutMs } (defaults 1 MiB and 30 s; tests use less).
export function openHttpReader(url, { blockSize = BLOCK_SIZE, timeoutMs = TIMEOUT_MS } = {}) {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const data = new Uint8Array(new SharedArrayBuffer(blockSize));
  const worker = new Worker(new URL('./http_fetch_worker.mjs', import.meta.url), {
    workerData: { url, control: control.buffer, data: data.buffer, blockSize },
  });
  worker.unref();

  let lastId = 0;
  // One request, answered by the worker or given up on after timeoutMs. Only
  // an answer stamped with this request's id counts (see http_control.mjs).
  const call = (message) => {
    const id = nextRequestId(lastId);
    lastId = id;
    Atomics.store(control, CURRENT, id);
    worker.postMessage({ ...message, id });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const word = Atomics.load(control, ANSWER);
      if (answerId(word) === id) {
        const length = Atomics.load(control, LENGTH);
        if (answerFailed(word)) return { ok: false, error: new TextDecoder().decode(data.slice(0, length)) };
        return { ok: true, length };
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(control, ANSWER, word, left) === 'timed-out') {
        return { ok: false, error: `no answer from ${url} in ${timeoutMs / 1000} s` };
      }
    }
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
    lastError: null,  // why the last failed read failed (readInto can only say -1)
    readInto(offset, view) {
      if (offset >= size) return 0;
      if (!(offset >= cachedStart && offset < cachedStart + cached.length)) {
        const blockStart = Math.floor(offset / blockSize) * blockSize;
        const got = call({ op: 'read', offset: blockStart });
        this.requests += 1;
        if (!got.ok) {
          this.lastError = got.error;
          return -1;
        }
        cached = data.slice(0, got.length);
        cachedStart = blockStart;
        this.bytesFetched += got.length;
      }
      const from = offset - cachedStart;
      if (from >= cached.length) {
        this.lastError = `${url} answered fewer bytes than the file has (${cachedStart + cached.length} of ${size})`;
        return -1;
      }
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
