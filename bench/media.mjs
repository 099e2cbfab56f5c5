// Media core benchmark: decode-and-sample of a 4 s window (16 frames) with the
// wasm core under Node, next to Debian's native FFmpeg on one thread decoding
// the whole window (ffmpeg -threads 1 -t 4 -i IN -f null -), in the same run.
// Medians of RUNS runs; writes the "Media core" section of docs/BENCHMARKS.md.
//   node bench/media.mjs [--smoke]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const media = (rel) => path.resolve(root, '..', 'shared', 'fixtures', 'media', rel);
const smoke = process.argv.includes('--smoke');
const RUNS = smoke ? 1 : Number(process.env.CHARID_BENCH_RUNS || 5);

const CASES = [
  { label: 'H.264 720p', file: media('bramp__ffmpeg-cli-wrapper/big_buck_bunny_720p_1mb.mp4') },
  { label: 'H.264 1080p', file: media('Vanilagy__mediabunny/video.mp4') },
  { label: 'HEVC 1080p', file: media('Vanilagy__mediabunny/video-h265.mp4') },
  { label: 'VP9 720p', file: media('Vanilagy__mediabunny/transparency.webm') },
  { label: 'AV1 1920x818', file: media('vidyesh95__qatoto-frontend/Sintel_1080_10s_1MB.mp4') },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wasmRun(file) {
  const r = spawnSync(process.execPath, [path.join(root, 'bench', 'media_sample_once.mjs'), file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wasm sample failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function nativeRun(file) {
  const started = performance.now();
  const r = spawnSync('ffmpeg', ['-hide_banner', '-benchmark', '-threads', '1', '-t', '4', '-i', file, '-an', '-f', 'null', '-'], { encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${file}: ${r.stderr.slice(-500)}`);
  const rss = /maxrss=(\d+)kB/.exec(r.stderr);
  return { ms, rss_mb: rss ? Number(rss[1]) / 1024 : null };
}

const rows = [];
for (const c of (smoke ? CASES.slice(1, 2) : CASES)) {
  const wasm = [];
  const native = [];
  // Interleaved, so both see the same machine load.
  for (let i = 0; i < RUNS; i++) {
    wasm.push(wasmRun(c.file));
    native.push(nativeRun(c.file));
  }
  const row = {
    label: c.label,
    file: path.relative(path.resolve(root, '..'), c.file),
    wasm_ms: median(wasm.map((w) => w.ms)),
    wasm_mem_mb: Math.max(...wasm.map((w) => w.wasm_memory_mb)),
    frames: wasm[0].frames,
    native_ms: median(native.map((n) => n.ms)),
    native_rss_mb: median(native.map((n) => n.rss_mb ?? 0)),
  };
  row.ratio = row.wasm_ms / row.native_ms;
  rows.push(row);
  console.log(`${row.label}: wasm ${row.wasm_ms.toFixed(0)} ms (${row.wasm_mem_mb} MiB), native ${row.native_ms.toFixed(0)} ms, ratio ${row.ratio.toFixed(2)}`);
}

const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
const body = [
  `Written by \`node bench/media.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, Node ${process.version}; median of ${RUNS} run(s), wasm and native interleaved in the same run.`,
  '',
  'charid = the wasm core under Node (Emscripten 3.1.6, FFmpeg 5.1.9 decode-only + dav1d 1.0.0, SIMD, one thread): open, seek, decode only what the 16 samples need (non-reference frames skipped when samples are sparse), convert to upright RGB with the short side at 512, measure quality. Native = Debian\'s ffmpeg 5.1, `-threads 1 -t 4 -i IN -an -f null -`, decoding every frame of the window and converting nothing. Wasm memory is the module\'s linear memory after the run (it only grows, so this is its peak); native memory is ffmpeg\'s maxrss.',
  '',
  '| video | file | charid wasm ms | native ffmpeg ms | charid / native | wasm memory MiB | native RSS MiB | frames |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${r.file} | ${r.wasm_ms.toFixed(0)} | ${r.native_ms.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.wasm_mem_mb.toFixed(0)} | ${r.native_rss_mb.toFixed(0)} | ${r.frames} |`),
  '',
  `Target: the wasm stage at or below native single-thread full decode of the window for H.264 1080p: ${(() => { const r = rows.find((x) => x.label === 'H.264 1080p'); return r ? (r.ratio <= 1 ? `met (ratio ${r.ratio.toFixed(2)})` : `NOT met (ratio ${r.ratio.toFixed(2)})`) : 'not measured'; })()}.`,
].join('\n');
if (!smoke) writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Media core', body);
else console.log(body);
