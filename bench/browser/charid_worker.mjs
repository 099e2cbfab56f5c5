// One charid decode-and-sample in Chromium, the way the page does it: the
// wasm core in a module Worker, the file as a Blob read with FileReaderSync.
// Message: { url, count }. Reply: { ok, ms, init_ms, fetch_ms, frames, wasm_memory_mb, bytes_read }.
import createCharidModule from '/build/wasm/wasm/charid-core.mjs';
import { openBlobReader } from '/lib/readers/blob_reader.mjs';

self.onmessage = async ({ data }) => {
  try {
    const t0 = performance.now();
    const core = await createCharidModule();
    const init_ms = performance.now() - t0;
    const t1 = performance.now();
    const blob = await (await fetch(data.url)).blob();
    const fetch_ms = performance.now() - t1;
    const reader = openBlobReader(blob);
    const started = performance.now();
    const r = core.sample(reader, { count: data.count ?? 16, allowLowRes: true }, null);
    const ms = performance.now() - started;
    if (!r.ok) { self.postMessage({ ok: false, error: r.error }); return; }
    self.postMessage({ ok: true, ms, init_ms, fetch_ms, frames: r.frames.length, frame_size: `${r.frames[0].width}x${r.frames[0].height}`, wasm_memory_mb: core.HEAPU8.length / 2 ** 20, bytes_read: reader.bytesRead });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err && err.stack || err) });
  }
};
