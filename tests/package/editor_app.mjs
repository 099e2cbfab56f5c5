// An editor developer's setup, for tests/package/vite_app.test.mjs: `npm pack` of this
// repository into one temporary folder, a fresh Vite app in another that installs the tarball,
// copies the package's assets/ into its public folder, puts <character-id-creator> on its page and
// is built with Vite; a static server for the built app (COOP/COEP on or off) that also serves a
// model folder at /models/; and the real registry allowing the app's origins (--cors-origin).
import { execFile } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../browser/helpers.mjs';
import { startRegistry, tempDir } from '../registry/helpers.mjs';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// `npm pack` (its prepack script builds dist/package) -> the tarball's path and npm's report
// ({ size, unpackedSize, files: [{path, size}] }).
export async function packRepo(destDir) {
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', destDir], {
    cwd: repoRoot, timeout: 180_000, maxBuffer: 16 << 20,
  });
  const [report] = JSON.parse(stdout);
  return { tarball: join(destDir, report.filename), report };
}

// The editor's page: the element with its three URLs, and a module that imports every entry point
// the way an editor would and keeps what the test reads on window.
function writeApp(appDir, registryUrl) {
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'editor-app', private: true, type: 'module' }, null, 2));
  writeFileSync(join(appDir, 'index.html'), `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Some video editor</title></head>
  <body>
    <h1>Some video editor</h1>
    <p id="created">No character yet.</p>
    <character-id-creator registry="${registryUrl}" asset-base="/charid/" model-base="/models/"></character-id-creator>
    <script type="module" src="/main.js"></script>
  </body>
</html>
`);
  writeFileSync(join(appDir, 'main.js'), `import 'charid/element';
import { createCharacterEngine, EngineError } from 'charid/engine';
import { RegistryClient } from 'charid/registry';
import { CharidError } from 'charid/errors';

window.__created = [];
document.querySelector('character-id-creator').addEventListener('character-created', (ev) => {
  window.__created.push(ev.detail);
  document.getElementById('created').textContent = 'Created ' + ev.detail.id;
});
window.__charid = { createCharacterEngine, EngineError, RegistryClient, CharidError };
`);
  // Type-checked by tsc against the package's declarations (never run).
  writeFileSync(join(appDir, 'types_check.ts'), `import { createCharacterEngine, EngineError, type EmbedResult } from 'charid/engine';
import { CharacterIdCreator } from 'charid/element';
import { RegistryClient } from 'charid/registry';
import { CharidError } from 'charid/errors';

const engine = createCharacterEngine({ registry: 'https://ids.example', assetBase: '/charid/', modelBase: '/models/', threads: 2 });
export async function flow(file: File): Promise<string> {
  const info = await engine.ready;
  const threads: number = info.threads;
  const { payload }: EmbedResult = await engine.embed(file, { start: 0, box: null });
  const verdict: string = engine.compare(payload, payload).verdict;
  const character = await engine.register('Mira', payload, { consent: { basis: 'fictional' } });
  engine.addEventListener('progress', (e) => console.log(e.detail.stage, threads, verdict));
  // @ts-expect-error a number is not a file
  await engine.embed(42);
  // @ts-expect-error not a consent basis
  await engine.register('Mira', payload, { consent: { basis: 'maybe' } });
  const probed = await engine.probe(file);
  const matches = await engine.match(payload, 5);
  return [character.id, probed.window.end, engine.registry.base, matches[0]?.score].join(' ');
}
const element: CharacterIdCreator = document.createElement('character-id-creator');
element.addEventListener('character-created', (e) => console.log(e.detail.id));
export const errorIsCharid: boolean = new EngineError('x', 'y') instanceof CharidError;
export const client = new RegistryClient('https://ids.example', { key: 'k' });
`);
}

// Installs the tarball into a fresh app, copies the assets as the editor would, type-checks
// and builds it with Vite -> the built folder.
export async function buildEditorApp(appDir, tarball, registryUrl) {
  mkdirSync(appDir, { recursive: true });
  writeApp(appDir, registryUrl);
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: appDir, timeout: 240_000 });
  cpSync(join(appDir, 'node_modules', 'charid', 'dist', 'package', 'assets'), join(appDir, 'public', 'charid'), { recursive: true });
  const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
  await run(tsc, ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--lib', 'es2022,dom', 'types_check.ts'], { cwd: appDir, timeout: 120_000 })
    .catch((err) => { throw new Error(`tsc refused the package's types:\n${err.stdout}${err.stderr}`); });
  const { build } = await import('vite');
  await build({ root: appDir, configFile: false, logLevel: 'error', build: { outDir: join(appDir, 'dist') } });
  return join(appDir, 'dist');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

// The built app at /, a model folder at /models/; `isolated` adds COOP/COEP. Records each path.
export async function serveApp(distDir, modelsDir, { isolated }) {
  const served = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const [base, rel] = url.pathname.startsWith('/models/')
      ? [modelsDir, url.pathname.slice('/models/'.length)]
      : [distDir, url.pathname === '/' ? 'index.html' : url.pathname.slice(1)];
    const file = normalize(join(base, decodeURIComponent(rel)));
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (!file.startsWith(resolve(base)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end();
      return;
    }
    served.push(url.pathname);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, served, stop: () => new Promise((r) => server.close(r)) };
}

// The real registry with the project's model manifest, allowing `origins` to call its API.
export async function startRegistryFor(origins) {
  const dir = tempDir('charid-package-registry-');
  const server = await startRegistry({ dataDir: dir, manifest: join(repoRoot, 'models', 'manifest.json'),
    args: ['--cors-origin', origins.join(',')] });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
