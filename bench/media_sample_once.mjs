// One measurement in a fresh process: decode and sample a 4 s window with the
// wasm core; prints JSON {ms, frames, wasm_memory_mb}. A fresh process per run
// makes the wasm memory size (which only grows) the run's peak.
import { loadCore } from '../lib/core_module.mjs';
import { openReader } from '../lib/media.mjs';

const [file, count = '16'] = process.argv.slice(2);
const core = await loadCore();
const reader = openReader(file);
const started = performance.now();
const r = core.sample(reader, { count: Number(count), allowLowRes: true }, null);
const ms = performance.now() - started;
reader.close();
if (!r.ok) {
  console.error(JSON.stringify(r.error));
  process.exit(2);
}
console.log(JSON.stringify({ ms, frames: r.frames.length, wasm_memory_mb: core.HEAPU8.length / 2 ** 20 }));
