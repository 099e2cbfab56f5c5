// Download size: what a page fetches to decode video with charid (its wasm core and the
// Emscripten JS glue) next to what it fetches for ffmpeg.wasm (@ffmpeg/core 0.12, the
// single-threaded core). Raw, gzip -9 and brotli (quality 11), as a server would send them.
// Writes the "Download size" section of docs/BENCHMARKS.md.   node bench/size.mjs [--smoke]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';
import { wasmDir } from '../lib/core_module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const ffmpegDir = path.join(root, 'node_modules', '@ffmpeg', 'core');
if (!fs.existsSync(path.join(ffmpegDir, 'package.json'))) {
  console.error('bench/size: @ffmpeg/core is not installed (a devDependency: run npm install)');
  process.exit(1);
}
const ffmpegVersion = JSON.parse(fs.readFileSync(path.join(ffmpegDir, 'package.json'), 'utf8')).version;

// Brotli 11 on @ffmpeg/core's 32 MB wasm takes about two minutes here, so --smoke skips it.
function sizes(file) {
  const bytes = fs.readFileSync(file);
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: smoke ? NaN : zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}

const groups = [
  { name: 'charid core', files: [['JS glue', path.join(wasmDir(), 'charid-core.mjs')], ['wasm', path.join(wasmDir(), 'charid-core.wasm')]] },
  { name: `@ffmpeg/core ${ffmpegVersion}`, files: [['JS glue', path.join(ffmpegDir, 'dist', 'esm', 'ffmpeg-core.js')], ['wasm', path.join(ffmpegDir, 'dist', 'esm', 'ffmpeg-core.wasm')]] },
];
const rows = [];
for (const g of groups) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const [part, file] of g.files) {
    const s = sizes(file);
    rows.push({ name: `${g.name}: ${part}`, ...s });
    for (const k of Object.keys(total)) total[k] += s[k];
  }
  rows.push({ name: `**${g.name}: total**`, ...total, total: true });
  g.total = total;
}
const mb = (n) => (n / 1e6).toFixed(2);
const [charid, ffmpeg] = groups.map((g) => g.total);
const body = [
  `Written by \`node bench/size.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}. MB = 10^6 bytes; gzip -9 and brotli 11 with Node's zlib. charid's core (FFmpeg 5.1 decode-only: H.264, HEVC, VP8, VP9, AV1 via dav1d, MPEG-4 Part 2, GIF; MP4/MOV, WebM/Matroska, MPEG-TS, IVF and raw streams; plus the identity kernels: tensors, tracking, fusion) is one module; @ffmpeg/core is the whole FFmpeg (encoders, filters, muxers) as \`@ffmpeg/ffmpeg\` loads it (its small wrapper and worker scripts come on top and are not counted).`,
  '',
  '| file | raw MB | gzip MB | brotli MB |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${mb(r.raw)} | ${mb(r.gzip)} | ${mb(r.brotli)} |`),
  '',
  `@ffmpeg/core / charid: ${(ffmpeg.raw / charid.raw).toFixed(1)}x raw, ${(ffmpeg.gzip / charid.gzip).toFixed(1)}x gzip, ${(ffmpeg.brotli / charid.brotli).toFixed(1)}x brotli.`,
].join('\n');
if (smoke) console.log(body);
else writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Download size', body);
