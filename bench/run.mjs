// npm run bench: every benchmark in one run, each writing its own section of
// docs/BENCHMARKS.md (the machine first). --smoke (for CI) runs one small case of
// each cheap benchmark (one file, one run, one model) and writes nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
// [name, file, part of --smoke]
const benches = [
  ['machine', 'bench/machine.mjs', true],
  ['media core', 'bench/media.mjs', true],
  ['download size', 'bench/size.mjs', true],
  ['inference', 'bench/inference.mjs', true],
  ['end to end (CLI)', 'bench/e2e.mjs', false],
  ['choose -> ID in Chromium', 'bench/choose_to_id.mjs', false],
  ['identity', 'bench/identity.mjs', false],
  ['registry', 'bench/registry.mjs', false],
];
let failed = 0;
for (const [name, file, inSmoke] of benches) {
  if (!fs.existsSync(path.join(root, file))) continue;
  if (smoke && !inSmoke) continue;
  const args = smoke ? ['--smoke'] : name === 'identity' ? ['--write'] : [];
  console.log(`\n== ${name}: node ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: ${name} failed (exit ${r.status})`);
    failed += 1;
  }
}
process.exit(failed ? 1 : 0);
