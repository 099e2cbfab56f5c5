// Loads the charid wasm core (the same module the browser Worker uses) in Node.
//
// The module is Emscripten 3.1.6's ES6 factory; that version's output still
// refers to CommonJS `require` and `__dirname` when it runs under Node, so we
// provide both before importing it, and hand it the wasm bytes ourselves (no
// fetch of a file: URL, which Node 20's fetch cannot do).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function wasmDir() {
  return process.env.CHARID_WASM_DIR || path.join(repoRoot, 'build', 'wasm', 'wasm');
}

let modulePromise = null;

export function loadCore() {
  if (!modulePromise) modulePromise = instantiate();
  return modulePromise;
}

async function instantiate() {
  const dir = wasmDir();
  const js = path.join(dir, 'charid-core.mjs');
  const wasm = path.join(dir, 'charid-core.wasm');
  if (!fs.existsSync(js) || !fs.existsSync(wasm)) {
    throw new Error(`The charid wasm core is not built (looked in ${dir}). Run "npm run build" first.`);
  }
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= dir;
  const { default: createCharidModule } = await import(pathToFileURL(js).href);
  return createCharidModule({ wasmBinary: fs.readFileSync(wasm) });
}
