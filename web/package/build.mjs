// Builds the npm package's browser files into dist/package/ (run by `npm pack` through the
// prepack script; `node web/package/build.mjs` alone):
//
//   engine.js, element.js (+ shared chunk-*.js)   the entry points `charid/engine`, `charid/element`
//   engine.d.ts, element.d.ts                     their types (web/package/*.d.ts)
//   assets/worker.js                              the engine's Worker, one self-contained module
//   assets/core/charid-core.{mjs,wasm}            the wasm core with its decoders (build/wasm/wasm)
//   assets/core/charid-core-demux.{mjs,wasm}      the wasm core without them (lib/core_module.mjs)
//   assets/ort/ort-wasm-simd-threaded.{mjs,wasm}  ONNX Runtime Web's wasm runtime
//   assets/models/manifest.json                   the model manifest this version expects
//
// The editor serves assets/ somewhere and passes that URL as `assetBase` (the element's
// `asset-base`), as with ONNX Runtime Web's `wasmPaths`. esbuild rather than Vite: these are
// library files for the editor's own bundler, not an app; the shared chunk keeps one
// CharacterEngine class when both entry points are imported.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CORE_FILES } from '../../lib/core_module.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const out = path.join(root, 'dist', 'package');
const assets = path.join(out, 'assets');
const wasmDir = process.env.CHARID_WASM_DIR || path.join(root, 'build', 'wasm', 'wasm');
const ortDir = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');

const copies = [
  ...Object.values(CORE_FILES).flatMap((name) => ['mjs', 'wasm'].map((ext) => [path.join(wasmDir, `${name}.${ext}`), path.join(assets, 'core')])),
  [path.join(ortDir, 'ort-wasm-simd-threaded.mjs'), path.join(assets, 'ort')],
  [path.join(ortDir, 'ort-wasm-simd-threaded.wasm'), path.join(assets, 'ort')],
  [path.join(root, 'models', 'manifest.json'), path.join(assets, 'models')],
  [path.join(here, 'engine.d.ts'), out],
  [path.join(here, 'element.d.ts'), out],
];
const missing = copies.map(([from]) => from).filter((f) => !fs.existsSync(f));
if (missing.length) {
  console.error(`package: missing ${missing.map((f) => path.relative(root, f)).join(', ')}; run "node scripts/build.mjs wasm" first.`);
  process.exit(1);
}

// The page's stylesheet as a constructed stylesheet adopted by the document: no <link> for the
// editor to add, and allowed by a Content-Security-Policy without 'unsafe-inline' styles.
const adoptedCss = {
  name: 'adopted-css',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, (args) => ({
      loader: 'js',
      contents: `const sheet = new CSSStyleSheet();
sheet.replaceSync(${JSON.stringify(fs.readFileSync(args.path, 'utf8'))});
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];`,
    }));
  },
};

// The error type and the registry client stay the package's own lib/ modules (imported, not
// copied into the bundle), so `err instanceof CharidError` with `charid/errors` holds for the
// engine's errors and `charid/registry` is the client the engine uses.
const shared = new Map([
  [path.join(root, 'lib', 'errors.mjs'), '../../lib/errors.mjs'],
  [path.join(root, 'lib', 'registry', 'client.mjs'), '../../lib/registry/client.mjs'],
]);
const sharedLib = {
  name: 'shared-lib',
  setup(b) {
    b.onResolve({ filter: /(errors|client)\.mjs$/ }, (args) => {
      const kept = shared.get(path.resolve(args.resolveDir, args.path));
      return kept ? { path: kept, external: true } : undefined;
    });
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
  // PACKAGED in engine.ts; minifySyntax drops the app's `new URL('./worker.ts', ...)` branch, which
  // the editor's bundler would otherwise try to follow.
  define: { __CHARID_PACKAGE__: 'true' },
  minifySyntax: true,
  legalComments: 'inline',
};

fs.rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { engine: path.join(root, 'web', 'src', 'engine.ts'), element: path.join(root, 'web', 'src', 'element.ts') },
  outdir: out,
  splitting: true,
  plugins: [adoptedCss, sharedLib],
});
await build({
  ...common,
  entryPoints: { worker: path.join(root, 'web', 'src', 'worker.ts') },
  outdir: assets,
  // the ORT build that loads its glue from ort.env.wasm.wasmPaths (assets/ort/), as web/build.mjs
  alias: { 'onnxruntime-web': path.join(ortDir, 'ort.wasm.min.mjs') },
});
for (const [from, toDir] of copies) {
  fs.mkdirSync(toDir, { recursive: true });
  fs.copyFileSync(from, path.join(toDir, path.basename(from)));
}

// The package must not reach back into the source tree or into Vite's worker pattern.
for (const f of fs.readdirSync(out).filter((n) => n.endsWith('.js'))) {
  const text = fs.readFileSync(path.join(out, f), 'utf8');
  if (text.includes('worker.ts')) {
    console.error(`package: ${f} still refers to worker.ts (the app's Worker branch was not removed).`);
    process.exit(1);
  }
}
// on stderr: `npm pack --json` prints its JSON on stdout, after this script has run
console.error(`package: built ${path.relative(root, out)}`);
