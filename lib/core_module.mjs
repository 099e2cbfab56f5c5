// The one loader of the charid wasm core, for Node (the CLI, tests, benchmarks) and for the
// page's Worker. It checks WebAssembly SIMD first (the core is built with -msimd128, checked
// with wasm-feature-detect), answers with a CharidError instead of a bare exception, and forgets
// a module that aborted, so the next loadCore() starts a fresh one instead of calling into a
// dead instance.
//
// Two variants of the module, built from the same bindings (wasm/CMakeLists.txt):
//   'full'  (default) charid-core: FFmpeg's video decoders and dav1d. Node and the CLI use it.
//   'demux' charid-core-demux: no decoder, a fraction of the size. Probe, demux, decode plans,
//           the frame converter and the identity code. Each variant is one module, cached and
//           replaced after an abort on its own. The page does not load it first yet: without
//           decoders FFmpeg's stream probing leaves the colour description (matrix, range), the
//           pixel format and the bit depth of H.264, HEVC and VP9 streams empty unless the
//           container carries them (tests/wasm_api/demux_core.test.mjs), and WebCodecs' own
//           colour report is wrong for some of them; the core must read them from the bitstream
//           (SPS VUI, VP9 frame header) first.
//
// Node: the files come from wasmDir() (build/wasm/wasm, or CHARID_WASM_DIR).
// Worker/page: loadCore({ assetBase, variant }) fetches `core/<file>.{mjs,wasm}` under
// assetBase (the URL the embedder serves the app's assets from); later calls may omit it.
//
// The module is Emscripten 3.1.6's ES6 factory; under Node that version's output still refers to
// CommonJS `require` and `__dirname`, so both are provided before importing it, and the wasm
// bytes are handed over directly (Node 20's fetch cannot read file: URLs).
import { simd } from 'wasm-feature-detect';
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

// -> Promise<boolean>: whether this WebAssembly runs SIMD (false where there is no WebAssembly).
export async function hasSimd() {
  if (typeof WebAssembly === 'undefined') return false;
  try {
    return await simd();
  } catch {
    return false;
  }
}

// The file name (without .mjs/.wasm) of each variant.
export const CORE_FILES = Object.freeze({ full: 'charid-core', demux: 'charid-core-demux' });

export function wasmDir() {
  if (!node) throw new CharidError('invalid_argument', 'wasmDir() is for Node; in a browser pass loadCore({ assetBase }).');
  const repoRoot = node.path.resolve(node.path.dirname(node.url.fileURLToPath(import.meta.url)), '..');
  return process.env.CHARID_WASM_DIR || node.path.join(repoRoot, 'build', 'wasm', 'wasm');
}

let assetBase = null; // set by the first loadCore({ assetBase }) in a browser
const current = new Map(); // variant -> { promise, dead }

// -> Promise of the Emscripten module of that variant ('full' unless asked). Rejects with
// CharidError: invalid_argument (an unknown variant), no_simd, models_unavailable, internal_error.
export function loadCore(options = {}) {
  const variant = options.variant ?? 'full';
  if (!Object.hasOwn(CORE_FILES, variant)) {
    return Promise.reject(new CharidError('invalid_argument',
      `There is no "${variant}" core; the variants are ${Object.keys(CORE_FILES).join(' and ')}.`));
  }
  if (options.assetBase !== undefined) assetBase = String(options.assetBase);
  if (!current.has(variant)) {
    const entry = { promise: null, dead: false };
    const forget = () => { if (current.get(variant) === entry) current.delete(variant); };
    const onAbort = () => {
      entry.dead = true;
      forget();
    };
    entry.promise = instantiate(CORE_FILES[variant], onAbort);
    // a failed load (a missing file, a network error) may succeed on the next call
    entry.promise.catch(forget);
    current.set(variant, entry);
  }
  return current.get(variant).promise;
}

// True for the error a call into an aborted module throws (Emscripten's abort -> RuntimeError).
export function isCoreAbort(err) {
  return (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError)
    || /^(RuntimeError: )?Aborted\(/.test(String(err?.message ?? err));
}

async function instantiate(file, onAbort) {
  if (!(await hasSimd())) {
    throw new CharidError('no_simd', 'WebAssembly SIMD is not available here; charid needs a current browser or Node 20+.');
  }
  const { factory, wasmBinary } = node && assetBase === null ? await nodeFiles(file) : await fetchedFiles(file);
  try {
    return await factory({ wasmBinary, onAbort });
  } catch (err) {
    throw new CharidError('internal_error', `The charid wasm core could not start: ${err?.message ?? err}`, { cause: err });
  }
}

async function nodeFiles(file) {
  const dir = wasmDir();
  const js = node.path.join(dir, `${file}.mjs`);
  const wasm = node.path.join(dir, `${file}.wasm`);
  if (!node.fs.existsSync(js) || !node.fs.existsSync(wasm)) {
    throw new CharidError('models_unavailable', `The charid wasm core ${file} is not built (looked in ${dir}). Run "npm run build" first.`);
  }
  globalThis.require ??= node.module.createRequire(import.meta.url);
  globalThis.__dirname ??= dir;
  const { default: factory } = await import(/* @vite-ignore */ node.url.pathToFileURL(js).href);
  return { factory, wasmBinary: node.fs.readFileSync(wasm) };
}

async function fetchedFiles(file) {
  const base = new URL(assetBase ?? './', globalThis.location?.href);
  const wasmUrl = new URL(`core/${file}.wasm`, base);
  let res;
  try {
    res = await fetch(wasmUrl);
  } catch (err) {
    throw new CharidError('models_unavailable', `${file}.wasm could not be fetched from ${wasmUrl.href}: ${err?.message ?? err}`);
  }
  if (!res.ok) throw new CharidError('models_unavailable', `${file}.wasm: HTTP ${res.status} from ${wasmUrl.href}`);
  const [{ default: factory }, wasmBinary] = await Promise.all([
    import(/* @vite-ignore */ new URL(`core/${file}.mjs`, base).href),
    res.arrayBuffer(),
  ]);
  return { factory, wasmBinary };
}
