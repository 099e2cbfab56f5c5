// The one loader of the charid wasm core, for Node (the CLI, tests, benchmarks) and for the
// page's Worker. It checks WebAssembly SIMD first (the core is built with -msimd128), answers
// with a CharidError instead of a bare exception, and forgets a module that aborted, so the next
// loadCore() starts a fresh one instead of calling into a dead instance.
//
// Node: the files come from wasmDir() (build/wasm/wasm, or CHARID_WASM_DIR).
// Worker/page: loadCore({ assetBase }) fetches `core/charid-core.{mjs,wasm}` under assetBase
// (the URL the embedder serves the app's assets from); later calls may omit it.
//
// The module is Emscripten 3.1.6's ES6 factory; under Node that version's output still refers to
// CommonJS `require` and `__dirname`, so both are provided before importing it, and the wasm
// bytes are handed over directly (Node 20's fetch cannot read file: URLs).
import { CharidError } from './errors.mjs';

const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
// Node built-ins, imported only in Node (a variable specifier keeps bundlers from following it).
const nodeOnly = (specifier) => import(/* @vite-ignore */ specifier);
const node = inNode
  ? {
      fs: await nodeOnly('node:fs'),
      path: await nodeOnly('node:path'),
      module: await nodeOnly('node:module'),
      url: await nodeOnly('node:url'),
    }
  : null;

// A module of one function whose body uses a SIMD instruction (v128); it validates only where
// WebAssembly SIMD is supported.
export const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function hasSimd(wasm = globalThis.WebAssembly) {
  try {
    return !!wasm && wasm.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export function wasmDir() {
  if (!node) throw new CharidError('invalid_argument', 'wasmDir() is for Node; in a browser pass loadCore({ assetBase }).');
  const repoRoot = node.path.resolve(node.path.dirname(node.url.fileURLToPath(import.meta.url)), '..');
  return process.env.CHARID_WASM_DIR || node.path.join(repoRoot, 'build', 'wasm', 'wasm');
}

let assetBase = null; // set by the first loadCore({ assetBase }) in a browser
let current = null; // { promise, dead }

// -> Promise of the Emscripten module. Rejects with CharidError: no_simd, models_unavailable.
export function loadCore(options = {}) {
  if (options.assetBase !== undefined) assetBase = String(options.assetBase);
  if (!current) {
    const entry = { promise: null, dead: false };
    const onAbort = () => {
      entry.dead = true;
      if (current === entry) current = null;
    };
    entry.promise = instantiate(onAbort);
    // a failed load (a missing file, a network error) may succeed on the next call
    entry.promise.catch(() => { if (current === entry) current = null; });
    current = entry;
  }
  return current.promise;
}

// True for the error a call into an aborted module throws (Emscripten's abort -> RuntimeError).
export function isCoreAbort(err) {
  return (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError)
    || /^(RuntimeError: )?Aborted\(/.test(String(err?.message ?? err));
}

async function instantiate(onAbort) {
  if (!hasSimd()) {
    throw new CharidError('no_simd', 'WebAssembly SIMD is not available here; charid needs a current browser or Node 20+.');
  }
  const { factory, wasmBinary } = node && assetBase === null ? await nodeFiles() : await fetchedFiles();
  try {
    return await factory({ wasmBinary, onAbort });
  } catch (err) {
    throw new CharidError('internal_error', `The charid wasm core could not start: ${err?.message ?? err}`, { cause: err });
  }
}

async function nodeFiles() {
  const dir = wasmDir();
  const js = node.path.join(dir, 'charid-core.mjs');
  const wasm = node.path.join(dir, 'charid-core.wasm');
  if (!node.fs.existsSync(js) || !node.fs.existsSync(wasm)) {
    throw new CharidError('models_unavailable', `The charid wasm core is not built (looked in ${dir}). Run "npm run build" first.`);
  }
  globalThis.require ??= node.module.createRequire(import.meta.url);
  globalThis.__dirname ??= dir;
  const { default: factory } = await import(/* @vite-ignore */ node.url.pathToFileURL(js).href);
  return { factory, wasmBinary: node.fs.readFileSync(wasm) };
}

async function fetchedFiles() {
  const base = new URL(assetBase ?? './', globalThis.location?.href);
  const wasmUrl = new URL('core/charid-core.wasm', base);
  let res;
  try {
    res = await fetch(wasmUrl);
  } catch (err) {
    throw new CharidError('models_unavailable', `charid-core.wasm could not be fetched from ${wasmUrl.href}: ${err?.message ?? err}`);
  }
  if (!res.ok) throw new CharidError('models_unavailable', `charid-core.wasm: HTTP ${res.status} from ${wasmUrl.href}`);
  const [{ default: factory }, wasmBinary] = await Promise.all([
    import(/* @vite-ignore */ new URL('core/charid-core.mjs', base).href),
    res.arrayBuffer(),
  ]);
  return { factory, wasmBinary };
}
