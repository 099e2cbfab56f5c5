// End to end, file to identity vector, with the CLI in Node: `charid embed FILE --json` in a fresh
// process each run (so every run pays module loading and model session creation, as a user's
// command does), per stage from the payload's timings_ms, and the process's wall time. The page's
// figures for the same 720p clip are in docs/WEB.md (measured by the browser tests).
// Writes the "End to end (CLI)" section of docs/BENCHMARKS.md.   node bench/e2e.mjs [--smoke]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const RUNS = smoke ? 1 : Number(process.env.CHARID_BENCH_RUNS || 3);
const shared = path.resolve(root, '..', 'shared', 'fixtures');
const CLIPS = [
  { label: '720p H.264 (bunny_a.mp4, the page\'s clip)', file: path.join(shared, 'clips', 'bunny_a.mp4') },
  { label: '1080p H.264 (mediabunny video.mp4)', file: path.join(shared, 'media', 'Vanilagy__mediabunny', 'video.mp4') },
];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const c of smoke ? CLIPS.slice(0, 1) : CLIPS) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, 'cli', 'charid.mjs'), 'embed', c.file, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`charid embed failed on ${c.file}: ${r.stderr.slice(-400)}`);
    runs.push({ wall, ...JSON.parse(r.stdout).timings_ms });
  }
  const m = (k) => median(runs.map((x) => x[k]));
  const row = { label: c.label, decode: m('decode'), detect: m('detect'), embed: m('embed'), total: m('total'), wall: m('wall') };
  rows.push(row);
  console.log(`${c.label}: decode ${row.decode.toFixed(0)} ms, detect ${row.detect.toFixed(0)} ms, embed ${row.embed.toFixed(0)} ms, total ${row.total.toFixed(0)} ms, process wall ${row.wall.toFixed(0)} ms`);
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const body = [
  `Written by \`node bench/e2e.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}; median of ${RUNS} runs of \`charid embed FILE --json\`, each a fresh Node process (onnxruntime-web wasm, 1 thread). Stages are the payload's \`timings_ms\`: decode = probe + decode and sample of the 4 s window, detect = YuNet + YOLOX on the 16 frames (the first run of each network in the process includes creating its session), embed = crops + appearance, face and colour parts + fusion; "process" is the command's wall time, start to exit (Node start, module loading and JSON output on top). The page's figures for the same 720p clip (choose -> ID, per stage, 1 thread and threaded) are in [WEB.md](WEB.md#speed-choosing-a-4-s-720p-file-to-seeing-the-id).`,
  '',
  '| clip | decode | detect | embed | file to vector | process wall |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${s(r.decode)} | ${s(r.detect)} | ${s(r.embed)} | ${s(r.total)} | ${s(r.wall)} |`),
].join('\n');
if (smoke) console.log(body);
else writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'End to end (CLI)', body);
