// npm run bench: every benchmark in one run, each writing its own section of
// docs/BENCHMARKS.md. --smoke (used by CI) runs one small case of each that
// is cheap, and writes nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const benches = [
  ['media core', 'bench/media.mjs'],
  ['identity', 'bench/identity.mjs'],
  ['registry', 'bench/registry.mjs'],
];
let failed = 0;
for (const [name, file] of benches) {
  if (!fs.existsSync(path.join(root, file))) continue;
  if (smoke && name !== 'media core') continue;
  console.log(`\n== ${name}: node ${file}${smoke ? ' --smoke' : ''}`);
  const r = spawnSync(process.execPath, [file, ...(smoke ? ['--smoke'] : [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: ${name} failed (exit ${r.status})`);
    failed += 1;
  }
}
process.exit(failed ? 1 : 0);
