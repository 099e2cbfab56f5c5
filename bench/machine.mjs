// The "Machine" section at the top of docs/BENCHMARKS.md: what the figures below were measured
// on (CPU, cores, memory, OS, the tool versions), and how loaded it was when the run started.
//   node bench/machine.mjs [--smoke]   (--smoke prints instead of writing)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';
import { CHROMIUM } from './browser/chromium.mjs';

// How to get every figure in this file again; also the first thing a reader needs.
export const REPRODUCE = 'Reproduce everything with `npm run bench` (needs `npm run build`, `npm run models`, `../shared`, Debian\'s ffmpeg and chromium; about 10 minutes plus the registry\'s run), one part with `node bench/<part>.mjs` (machine, media, size, inference, e2e, identity `--write`, registry), or a quick check with `node bench/run.mjs --smoke` (one file, one run, one model; under a minute; writes nothing in docs/). The 4K file is generated once into the ignored `bench/out/`.';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const first = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).split('\n').find((l) => l.trim()) ?? 'unknown' : 'not found';
};
const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8');
const model = cpu.match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
const flags = cpu.match(/flags\s*:\s*(.*)/)?.[1].split(' ') ?? [];
const simd = ['avx2', 'avx512f', 'avx512_vnni'].filter((f) => flags.includes(f)).join(', ');
const osName = fs.readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="(.*)"/)?.[1] ?? os.type();
const load = os.loadavg().map((x) => x.toFixed(2)).join(' / ');
const body = [
  `Recorded by \`node bench/machine.mjs\` at the start of \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  '',
  REPRODUCE,
  '',
  `- CPU: ${model}, ${os.cpus().length} cores visible (${simd || 'no AVX2'}), a virtual machine whose cores are shared with other work: every comparison below is measured side by side in the same run, interleaved, and reported as medians and ratios.`,
  `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB. OS: ${osName}, Linux ${os.release()}.`,
  `- Load average (1 / 5 / 15 min) when the run started: ${load}.`,
  `- Node ${process.version}; ${first(CHROMIUM, ['--version']).replace(/ built on.*/, '')} (Debian, headless, driven by playwright-core); ${first('ffmpeg', ['-version']).replace(/ Copyright.*/, '')} (Debian); Emscripten ${first('emcc', ['--version']).match(/\) ([\d.]+)/)?.[1] ?? '(not found)'} (the wasm core's compiler).`,
].join('\n');
if (process.argv.includes('--smoke')) console.log(body);
else writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Machine', body, { top: true });
