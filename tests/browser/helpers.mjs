// Shared set-up of the browser tests: the real registry started the way `npm start` starts it
// (scripts/start.mjs, serving web/dist, /models/ and the API) on a free loopback port with a
// temporary DATA_DIR, and Debian's Chromium driven by playwright-core. No browser download.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const clip720 = join(sharedDir, 'fixtures', 'clips', 'bunny_a.mp4');
export const textFile = join(sharedDir, 'fixtures', 'media', 'PROVENANCE.md');
export const artifactsDir = join(repoRoot, 'test-artifacts', 'browser');
export const CHROMIUM = process.env.CHARID_CHROMIUM || '/usr/bin/chromium';

// Why the suite cannot run here, or null.
export function missingPrerequisite() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(join(repoRoot, 'web', 'dist', 'index.html'))) return 'web/dist is not built (node web/build.mjs)';
  if (!existsSync(join(repoRoot, 'build', 'native', 'src', 'registry', 'charid-registry')) && !process.env.CHARID_REGISTRY_BIN) {
    return 'the registry is not built (node scripts/build.mjs native)';
  }
  if (!existsSync(clip720)) return `fixture ${clip720} is missing`;
  return null;
}

// serverArgs: more flags for charid-registry (e.g. --media-origin for a page that fetches by URL).
export async function startServer(serverArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'charid-browser-'));
  const proc = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--host', '127.0.0.1', '--port', '0', ...serverArgs], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: join(dir, 'data'), DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (d) => { out += d; });
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`registry did not start in 20 s: ${out}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`registry exited (${code}): ${out}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.on('exit', r));
  return {
    url,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A second origin serving one file with CORS (for "URL in -> ID out").
export async function startFileServer(file, { cors = true } = {}) {
  const server = http.createServer((req, res) => {
    const headers = { 'Content-Type': 'video/mp4', 'Content-Length': statSync(file).size };
    if (cors) headers['Access-Control-Allow-Origin'] = '*';
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/clip.mp4`, stop: () => new Promise((r) => server.close(r)) };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'charid-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 1400 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Every request the page makes, with its body, for the "what leaves the device" checks.
export function watchRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const body = r.postDataBuffer();
    seen.push({ method: r.method(), url: r.url(), body: body ?? Buffer.alloc(0) });
  });
  return seen;
}

export function ensureArtifactsDir() {
  mkdirSync(artifactsDir, { recursive: true });
  return artifactsDir;
}

// Inside a describe(): the registry and a fresh Chromium for that suite, started before its
// tests and stopped after them. Read env.server / env.browser in the tests.
export function serverAndBrowser({ serverArgs = [] } = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverArgs);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.context.setOffline(false).catch(() => {});
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
