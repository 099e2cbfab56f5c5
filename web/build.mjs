// Builds the browser app (web/) into web/dist, the folder the registry serves at /:
// Vite bundles the page, the example page and the engine's Worker; then the wasm core
// (build/wasm/wasm/charid-core{,-demux}.{mjs,wasm}) and ONNX Runtime Web's wasm files are copied
// beside them (dist/core/, dist/ort/), because both are loaded at run time by URL.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { MODEL_CACHE } from './src/cache_names.mjs';
import { CORE_FILES } from '../lib/core_module.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(here, 'dist');
const wasmDir = process.env.CHARID_WASM_DIR || path.join(root, 'build', 'wasm', 'wasm');
const ortDir = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');

// Every variant of the core (lib/core_module.mjs: 'full' and 'demux'), so that each is in the
// service worker's shell and in its version hash below.
const coreFiles = Object.values(CORE_FILES).flatMap((name) => [`${name}.mjs`, `${name}.wasm`]);
for (const f of coreFiles) {
  if (!fs.existsSync(path.join(wasmDir, f))) {
    console.error(`web: ${f} is missing in ${wasmDir}; run "node scripts/build.mjs wasm" first.`);
    process.exit(1);
  }
}

await build({
  root: here,
  base: '/',
  logLevel: 'warn',
  configFile: false,
  resolve: {
    // ORT's build that loads its wasm glue from ort.env.wasm.wasmPaths (dist/ort/), so its
    // threads start from a real file rather than from our bundled Worker.
    alias: [{ find: /^onnxruntime-web$/, replacement: path.join(ortDir, 'ort.wasm.min.mjs') }],
  },
  server: { fs: { allow: [root] } },
  worker: { format: 'es' },
  build: {
    outDir: dist,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { main: path.join(here, 'index.html'), example: path.join(here, 'example.html') },
    },
  },
});

function copy(from, toDir) {
  fs.mkdirSync(toDir, { recursive: true });
  fs.copyFileSync(from, path.join(toDir, path.basename(from)));
}
for (const f of coreFiles) copy(path.join(wasmDir, f), path.join(dist, 'core'));
for (const f of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) copy(path.join(ortDir, f), path.join(dist, 'ort'));

// The service worker: the app shell is every file of dist (the page at "./" rather than
// index.html), and VERSION is a hash of their bytes, so each new build installs a new worker.
function listFiles(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)]);
}
const shellFiles = listFiles(dist).filter((f) => f !== 'sw.js').sort();
const hash = createHash('sha256');
for (const f of shellFiles) hash.update(f).update(fs.readFileSync(path.join(dist, f)));
const shell = shellFiles.map((f) => (f === 'index.html' ? './' : f));
const swSource = fs.readFileSync(path.join(here, 'src', 'sw.js'), 'utf8')
  .replace("'__VERSION__'", JSON.stringify(hash.digest('hex').slice(0, 16)))
  .replace('__SHELL__', JSON.stringify(shell))
  .replace("'__MODEL_CACHE__'", JSON.stringify(MODEL_CACHE));
fs.writeFileSync(path.join(dist, 'sw.js'), swSource);
console.log(`web: built ${path.relative(root, dist)}`);
