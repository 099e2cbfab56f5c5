#!/usr/bin/env node
// The `charid` command of the npm package: cli/charid.mjs with the wasm core taken from the
// package's assets (dist/package/assets/core) when there is no build/wasm tree, so the core is
// shipped once for the browser and the CLI. CHARID_WASM_DIR, when set, still wins. The models
// are not in the package: CHARID_MODEL_CACHE names a folder with manifest.json and the model files.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packaged = join(root, 'dist', 'package', 'assets', 'core');
if (!process.env.CHARID_WASM_DIR && !existsSync(join(root, 'build', 'wasm', 'wasm', 'charid-core.wasm'))
  && existsSync(join(packaged, 'charid-core.wasm'))) {
  process.env.CHARID_WASM_DIR = packaged;
}
await import('../../cli/charid.mjs');
