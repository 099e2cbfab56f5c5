// Download size: what the page fetches before it can make an ID, against the 0.6 MB (gzip)
// target of issue 10: the page's JS and CSS, its Workers' JS, and the demux core (no video
// decoder: the page decodes with WebCodecs); then what comes on top, each on its own line:
// ONNX Runtime Web's wasm runtime, and the full core (FFmpeg's decoders and dav1d), fetched only
// when WebCodecs cannot decode. Next to them, ffmpeg.wasm (@ffmpeg/core 0.12, the
// single-threaded core). Raw, gzip -9 and brotli (quality 11), as a server would send them.
// Writes the "Download size" section of docs/BENCHMARKS.md.   node bench/size.mjs [--smoke]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';
import { CORE_FILES, wasmDir } from '../lib/core_module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const dist = path.join(root, 'web', 'dist');
const TARGET_GZIP = 0.6e6; // bytes: issue 10, "the first load's wasm + JS"
const ffmpegDir = path.join(root, 'node_modules', '@ffmpeg', 'core');
for (const [need, what] of [[path.join(ffmpegDir, 'package.json'), '@ffmpeg/core is not installed (a devDependency: run npm install)'],
  [path.join(dist, 'index.html'), 'web/dist is not built (node scripts/build.mjs web)'],
  [path.join(wasmDir(), `${CORE_FILES.demux}.wasm`), 'the demux core is not built (node scripts/build.mjs wasm)']]) {
  if (!fs.existsSync(need)) {
    console.error(`bench/size: ${what}`);
    process.exit(1);
  }
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

// The files of web/dist a document or script loads up front: its <script src>/<link href>
// (HTML), static imports, and `new URL("/assets/x.js", import.meta.url)` (how Vite names a
// Worker's script). Workers are collected apart from the page. Dynamic import() is not followed.
const inDist = (ref, from) => path.join(ref.startsWith('/') ? dist : path.dirname(from), ref);
function collect(entry, page, workers) {
  const text = fs.readFileSync(entry, 'utf8');
  const refs = entry.endsWith('.html')
    ? [...text.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/[^"]+)"/g)].map((m) => [m[1], page])
    : [...[...text.matchAll(/(?:\bimport|\bfrom)\s*["']((?:\.\/|\/assets\/)[^"']+)["']/g)].map((m) => [m[1], page]),
      ...[...text.matchAll(/new URL\(\s*["'](\/assets\/[^"']+\.js)["']\s*,\s*import\.meta\.url\)/g)].map((m) => [m[1], workers])];
  for (const [ref, into] of refs) {
    const file = inDist(ref, entry);
    if (!fs.existsSync(file) || page.has(file) || workers.has(file)) continue;
    into.add(file);
    if (/\.m?js$/.test(file)) collect(file, into === workers ? workers : page, workers);
  }
}
const pageFiles = new Set();
const workerFiles = new Set();
collect(path.join(dist, 'index.html'), pageFiles, workerFiles);
const rel = (f) => path.relative(dist, f);
const core = (variant, ext) => path.join(wasmDir(), `${CORE_FILES[variant]}.${ext}`);
const ortDir = path.join(dist, 'ort');

const groups = [
  { key: 'first', name: 'first load', files: [
    ...[...pageFiles].sort().map((f) => [`page: ${rel(f)}`, f]),
    ...[...workerFiles].sort().map((f) => [`Worker: ${rel(f)}`, f]),
    ['demux core: JS glue', core('demux', 'mjs')], ['demux core: wasm', core('demux', 'wasm')]] },
  { key: 'ort', name: 'ONNX Runtime Web wasm runtime', files: fs.readdirSync(ortDir).sort().map((f) => [`ort/${f}`, path.join(ortDir, f)]) },
  { key: 'full', name: 'full core (WebCodecs fallback)', files: [['JS glue', core('full', 'mjs')], ['wasm', core('full', 'wasm')]] },
  { key: 'ffmpeg', name: `@ffmpeg/core ${ffmpegVersion}`, files: [['JS glue', path.join(ffmpegDir, 'dist', 'esm', 'ffmpeg-core.js')], ['wasm', path.join(ffmpegDir, 'dist', 'esm', 'ffmpeg-core.wasm')]] },
];
const rows = [];
const total = {};
for (const g of groups) {
  const sum = { raw: 0, gzip: 0, brotli: 0 };
  for (const [part, file] of g.files) {
    const s = sizes(file);
    rows.push({ name: `${g.name}: ${part}`, ...s });
    for (const k of Object.keys(sum)) sum[k] += s[k];
  }
  rows.push({ name: `**${g.name}: total**`, ...sum });
  total[g.key] = sum;
}
const mb = (n) => (n / 1e6).toFixed(2);
const withOrt = total.first.gzip + total.ort.gzip;
const verdict = total.first.gzip <= TARGET_GZIP ? 'met' : `NOT met (${mb(total.first.gzip - TARGET_GZIP)} MB over)`;
const body = [
  `Written by \`node bench/size.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)} from web/dist and build/wasm. MB = 10^6 bytes; gzip -9 and brotli 11 with Node's zlib. The **first load** is what the page fetches before it can make an ID when WebCodecs decodes: the page's JS and CSS (from index.html, with their static imports), the Workers' JS (the engine's Worker bundles ONNX Runtime Web's JS API), and the **demux core** (FFmpeg 5.1 demuxers and parsers, swscale, the identity kernels; no video decoder). ONNX Runtime Web's own wasm runtime is a separate file on its own line. The **full core** (FFmpeg's H.264, HEVC, VP8, VP9, MPEG-4 Part 2 and GIF decoders and dav1d for AV1, in addition) is fetched only when WebCodecs cannot decode the stream, and is what Node and the CLI run. @ffmpeg/core is the whole FFmpeg (encoders, filters, muxers) as \`@ffmpeg/ffmpeg\` loads it (its small wrapper and worker scripts not counted). Model files are not counted here (see Inference).`,
  '',
  '| file | raw MB | gzip MB | brotli MB |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${mb(r.raw)} | ${mb(r.gzip)} | ${mb(r.brotli)} |`),
  '',
  `First load without ONNX Runtime's wasm: **${mb(total.first.gzip)} MB gzip** (target at most ${mb(TARGET_GZIP)} MB: ${verdict}); with it: **${mb(withOrt)} MB gzip**. ` +
    `The demux core is ${mb(total.full.gzip - (sizes(core('demux', 'wasm')).gzip + sizes(core('demux', 'mjs')).gzip))} MB gzip smaller than the full core (${mb(total.full.gzip)} MB), which a fallback adds on top.`,
  `@ffmpeg/core / full core: ${(total.ffmpeg.raw / total.full.raw).toFixed(1)}x raw, ${(total.ffmpeg.gzip / total.full.gzip).toFixed(1)}x gzip, ${(total.ffmpeg.brotli / total.full.brotli).toFixed(1)}x brotli.`,
].join('\n');
if (smoke) console.log(body);
else writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Download size', body);
