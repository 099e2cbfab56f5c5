// Compiles one TypeScript module of web/ (and what it imports) with esbuild into a temporary
// ES module and imports it, so the page's pure logic is tested under `node --test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function loadTs(relPath) {
  const dir = mkdtempSync(join(tmpdir(), 'charid-web-test-'));
  const outfile = join(dir, 'module.mjs');
  try {
    await build({ entryPoints: [join(repoRoot, relPath)], bundle: true, format: 'esm', platform: 'neutral', outfile, logLevel: 'error' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
