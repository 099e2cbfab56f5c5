// The npm package as an editor developer meets it (issue 13): `npm pack`, a fresh Vite app that
// installs the tarball, copies its assets/, type-checks against its declarations, is built and
// served with COOP/COEP, and creates a character ID in Chromium with <character-id-creator>
// against the real registry on another loopback origin; the same app served without COOP/COEP
// still starts the engine, on one thread; the installed `charid` command probes a clip with the
// package's own wasm core. Prints the package's size.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CHROMIUM, clip720, launchBrowser, repoRoot } from '../browser/helpers.mjs';
import { buildEditorApp, packRepo, serveApp, startRegistryFor } from './editor_app.mjs';

const modelsDir = join(repoRoot, 'models', 'cache');

function missingPrerequisite() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(join(repoRoot, 'build', 'wasm', 'wasm', 'charid-core.wasm'))) return 'the wasm core is not built (node scripts/build.mjs wasm)';
  if (!existsSync(join(repoRoot, 'build', 'native', 'src', 'registry', 'charid-registry'))) return 'the registry is not built';
  if (!existsSync(join(modelsDir, 'manifest.json'))) return 'models/cache is empty (npm run models)';
  if (!existsSync(clip720)) return `fixture ${clip720} is missing`;
  return null;
}

const missing = missingPrerequisite();
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

describe('npm package in a fresh Vite app (Chromium)', { skip: missing ?? false, timeout: 600_000 }, () => {
  const env = {};
  before(async () => {
    env.tmp = mkdtempSync(join(tmpdir(), 'charid-package-'));
    const t0 = Date.now();
    env.pack = await packRepo(env.tmp);
    const appDir = join(env.tmp, 'editor-app');
    env.appDir = appDir;
    const dist = join(appDir, 'dist'); // built below; the servers read it per request
    // the origins first: the registry must allow them, and the app is built with its URL
    env.isolated = await serveApp(dist, modelsDir, { isolated: true });
    env.plain = await serveApp(dist, modelsDir, { isolated: false });
    env.registry = await startRegistryFor([env.isolated.url, env.plain.url]);
    await buildEditorApp(appDir, env.pack.tarball, env.registry.url);
    env.setupMs = Date.now() - t0;
    env.browser = await launchBrowser();
  }, { timeout: 420_000 });
  after(async () => {
    await env.browser?.close();
    await env.registry?.stop();
    await env.isolated?.stop();
    await env.plain?.stop();
    if (env.tmp) rmSync(env.tmp, { recursive: true, force: true });
  });

  test('the tarball holds what an editor needs and nothing else', (t) => {
    const { report } = env.pack;
    const paths = report.files.map((f) => f.path);
    for (const need of ['dist/package/engine.js', 'dist/package/element.js', 'dist/package/engine.d.ts', 'dist/package/element.d.ts',
      'dist/package/assets/worker.js', 'dist/package/assets/core/charid-core.mjs', 'dist/package/assets/core/charid-core.wasm',
      'dist/package/assets/ort/ort-wasm-simd-threaded.mjs', 'dist/package/assets/ort/ort-wasm-simd-threaded.wasm',
      'dist/package/assets/models/manifest.json', 'web/package/charid.mjs', 'cli/charid.mjs', 'lib/registry/client.mjs',
      'lib/registry/client.d.ts', 'lib/errors.mjs', 'lib/errors.d.ts', 'docs/schemas/charid.embedding-1.schema.json', 'README.md']) {
      assert.ok(paths.includes(need), `${need} is missing from the tarball`);
    }
    const unwanted = paths.filter((p) => /^(tests|src|wasm|bench|scripts|models|build|web\/src)\//.test(p)
      || /\.(onnx|cpp|h|ts)$/.test(p.replace(/\.d\.ts$/, '')));
    assert.deepEqual(unwanted, []);
    t.diagnostic(`package: tarball ${mib(report.size)} (${report.size} B), unpacked ${mib(report.unpackedSize)} `
      + `(${report.unpackedSize} B), ${report.entryCount} files; pack + install + tsc + vite build ${(env.setupMs / 1000).toFixed(1)} s`);
  });

  test('<character-id-creator> from the package creates an ID on a cross-origin isolated page', { timeout: 400_000 }, async (t) => {
    const page = await env.browser.context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${env.isolated.url}/`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const el = page.locator('character-id-creator');
    await el.getByTestId('create-button').waitFor({ timeout: 60_000 });
    // the engine's errors are the CharidError of `charid/errors` (one class across entry points)
    assert.equal(await page.evaluate(() => {
      const { EngineError, CharidError } = window.__charid;
      return new EngineError('invalid_argument', 'x') instanceof CharidError;
    }), true);

    const started = Date.now();
    await el.getByTestId('video-input').setInputFiles(clip720);
    await el.getByTestId('name-input').fill('Packaged Bunny');
    await el.getByTestId('create-button').click({ timeout: 180_000 });
    await page.waitForFunction(() => window.__created.length > 0
      || document.querySelector('[data-testid="progress"]')?.dataset.state === 'error', null, { timeout: 300_000, polling: 250 });
    const created = await page.evaluate(() => window.__created);
    if (!created.length) assert.fail(`create failed: ${await el.getByTestId('error-message').textContent()}`);
    const { id, name } = created[0];
    assert.match(id, /^char_[0-9A-Za-z]{16,}$/);
    assert.equal(name, 'Packaged Bunny');
    assert.equal(await page.locator('#created').textContent(), `Created ${id}`);
    t.diagnostic(`choose -> ID in the packaged element: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // the registry holds it, under the key this browser was given
    const key = await page.evaluate((reg) => localStorage.getItem(`charid.key:${reg}`), env.registry.url);
    const res = await fetch(`${env.registry.url}/v1/characters/${id}`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).name, 'Packaged Bunny');
    // the Worker, the core, ONNX Runtime and the models came from the URLs the page set
    for (const p of ['/charid/worker.js', '/charid/core/charid-core.wasm', '/charid/ort/ort-wasm-simd-threaded.wasm', '/models/manifest.json']) {
      assert.ok(env.isolated.served.includes(p), `${p} was not fetched from the app's server`);
    }
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  test('without COOP/COEP the packaged engine still starts, on one thread', { timeout: 120_000 }, async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.plain.url}/`);
    const info = await page.evaluate(async (registry) => {
      const engine = window.__charid.createCharacterEngine({ registry, assetBase: '/charid/', modelBase: '/models/' });
      const ready = await engine.ready;
      engine.close();
      return { isolated: crossOriginIsolated, ready };
    }, env.registry.url);
    assert.equal(info.isolated, false);
    assert.equal(info.ready.isolated, false);
    assert.equal(info.ready.threads, 1);
    assert.ok(info.ready.embeddings.some((e) => e.model.startsWith('charid-id@')));
    await page.close();
  });

  test('the installed charid command probes a clip with the core from the package', { timeout: 60_000 }, async () => {
    const bin = join(env.appDir, 'node_modules', '.bin', 'charid');
    const childEnv = { ...process.env };
    delete childEnv.CHARID_WASM_DIR;
    const { stdout } = await promisify(execFile)(bin, ['probe', clip720, '--json'], { cwd: env.appDir, env: childEnv, timeout: 50_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.ok, true);
    assert.equal(out.source.width, 1280);
    assert.equal(out.source.height, 720);
  });
});
