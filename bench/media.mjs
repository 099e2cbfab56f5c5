// Media core benchmark: decode and sample a 4 s window (16 frames) with
//   - charid's wasm core under Node (a fresh process per run),
//   - charid's wasm core in Chromium (a module Worker, the file fetched into a Blob and read with
//     FileReaderSync, as the page does),
//   - Debian's native FFmpeg on one thread decoding the whole window (ffmpeg -threads 1 -t 4 -i IN -f null -),
//   - ffmpeg.wasm (@ffmpeg/core 0.12, single-threaded) in Chromium, extracting the same 16 frames as raw RGB,
// interleaved run by run so all four see the same machine load; medians of RUNS runs. Writes the
// "Media core" section of docs/BENCHMARKS.md and docs/media-decode.svg.
//   node bench/media.mjs [--smoke]      (CHARID_BENCH_RUNS=N, default 3)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';
import { barChartSvg } from './chart.mjs';
import { startServer } from './browser/server.mjs';
import { chromiumAvailable, launchChromium } from './browser/chromium.mjs';
import { wasmDir } from '../lib/core_module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mediaDir = path.resolve(root, '..', 'shared', 'fixtures', 'media');
const outDir = path.join(root, 'bench', 'out');
const smoke = process.argv.includes('--smoke');
const RUNS = smoke ? 1 : Number(process.env.CHARID_BENCH_RUNS || 3);

const fixture = (rel) => ({ file: path.join(mediaDir, rel), url: `/media/${rel}`, shown: `shared/fixtures/media/${rel}` });
const GENERATED_4K = path.join(outDir, 'h264_2160p.mp4');
const CASES = [
  { label: 'H.264 720p', ...fixture('bramp__ffmpeg-cli-wrapper/big_buck_bunny_720p_1mb.mp4') },
  { label: 'H.264 1080p', ...fixture('Vanilagy__mediabunny/video.mp4') },
  { label: 'HEVC 1080p', ...fixture('Vanilagy__mediabunny/video-h265.mp4') },
  { label: 'VP9 720p', ...fixture('Vanilagy__mediabunny/transparency.webm') },
  { label: 'AV1 1920x818', ...fixture('vidyesh95__qatoto-frontend/Sintel_1080_10s_1MB.mp4') },
  { label: 'H.264 2160p', file: GENERATED_4K, url: '/out/h264_2160p.mp4', shown: 'generated: H.264 1080p upscaled (libx264 medium, CRF 20)', generate: true },
];

const median = (xs) => {
  const s = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The 4K case: the 1080p H.264 fixture upscaled by Debian's ffmpeg into bench/out/ (ignored), once.
function ensure4k() {
  if (fs.existsSync(GENERATED_4K)) return;
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = `${GENERATED_4K}.part.mp4`;
  console.log('generating the 4K H.264 file (once) ...');
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', CASES[1].file, '-an',
    '-vf', 'scale=3840:2160:flags=lanczos', '-c:v', 'libx264', '-preset', 'medium', '-crf', '20',
    '-pix_fmt', 'yuv420p', '-threads', '2', '-movflags', '+faststart', tmp], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not generate the 4K file with ffmpeg');
  fs.renameSync(tmp, GENERATED_4K);
}

function nodeRun(file) {
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

async function browserRun(page, worker, url) {
  const r = await page.evaluate(([w, u]) => window.runWorker(w, { url: u, count: 16 }), [worker, url]);
  if (!r.ok) throw new Error(`${worker} failed on ${url}: ${typeof r.error === 'string' ? r.error : JSON.stringify(r.error)}`);
  return r;
}

const cases = smoke ? CASES.slice(1, 2) : CASES;
if (!smoke) ensure4k();

let browser = null;
let server = null;
let page = null;
let chromiumVersion = null;
let ffmpegDecoders = [];
if (chromiumAvailable()) {
  server = await startServer({
    '/bench/browser/': path.join(root, 'bench', 'browser'),
    '/build/wasm/wasm/': wasmDir(),
    '/lib/': path.join(root, 'lib'),
    '/node_modules/@ffmpeg/core/': path.join(root, 'node_modules', '@ffmpeg', 'core'),
    '/media/': mediaDir,
    '/out/': outDir,
  });
  ({ browser, version: chromiumVersion } = await launchChromium());
  page = await browser.newPage();
  await page.goto(`${server.url}/bench/browser/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  ffmpegDecoders = await page.evaluate(() => window.runWorker('ffmpeg_decoders_worker.mjs', {})).then((r) => r.decoders, () => []);
} else {
  console.log(`bench: no Chromium at ${process.env.CHARID_CHROMIUM || '/usr/bin/chromium'}; browser columns left empty`);
}

const rows = [];
try {
  for (const c of cases) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const run = { node: nodeRun(c.file), native: nativeRun(c.file) };
      if (page) {
        run.chromium = await browserRun(page, 'charid_worker.mjs', c.url);
        try {
          run.ffmpegwasm = await browserRun(page, 'ffmpeg_worker.mjs', c.url);
        } catch (err) {
          c.ffmpegError = /Missing Sequence Header/.test(err.message) ? 'cannot decode' : err.message.split('\n')[0].slice(0, 120);
        }
      }
      runs.push(run);
    }
    const col = (k, f) => median(runs.map((r) => (r[k] ? f(r[k]) : null)));
    const ratio = (a, b) => median(runs.map((r) => (r[a] && r[b] ? r[a].ms / r[b].ms : null)));
    const row = {
      label: c.label,
      file: c.shown,
      frames: runs[0].node.frames,
      node_ms: col('node', (x) => x.ms),
      chromium_ms: col('chromium', (x) => x.ms),
      native_ms: col('native', (x) => x.ms),
      ffmpegwasm_ms: col('ffmpegwasm', (x) => x.ms),
      node_mem: Math.max(...runs.map((r) => r.node.wasm_memory_mb)),
      chromium_mem: page ? Math.max(...runs.map((r) => r.chromium.wasm_memory_mb)) : null,
      native_rss: col('native', (x) => x.rss_mb),
      ffmpegwasm_mem: runs[0].ffmpegwasm ? Math.max(...runs.map((r) => r.ffmpegwasm?.wasm_memory_mb ?? 0)) : null,
      ffmpegwasm_memfs: runs[0].ffmpegwasm ? (fs.statSync(c.file).size + runs[0].ffmpegwasm.out_bytes) / 2 ** 20 : null,
      ffmpegwasm_frames: runs[0].ffmpegwasm ? runs[0].ffmpegwasm.frames : null,
      ffmpegwasm_error: c.ffmpegError ?? null,
      chromium_init: col('chromium', (x) => x.init_ms),
      ffmpegwasm_init: col('ffmpegwasm', (x) => x.init_ms),
      node_native: ratio('node', 'native'),
      chromium_native: ratio('chromium', 'native'),
      ffmpegwasm_chromium: ratio('ffmpegwasm', 'chromium'),
    };
    rows.push(row);
    const f = (v, d = 0) => (v == null ? '-' : v.toFixed(d));
    console.log(`${row.label}: charid Node ${f(row.node_ms)} ms, charid Chromium ${f(row.chromium_ms)} ms, native ${f(row.native_ms)} ms, ffmpeg.wasm ${f(row.ffmpegwasm_ms)} ms; ` +
      `Node/native ${f(row.node_native, 2)}, Chromium/native ${f(row.chromium_native, 2)}, ffmpeg.wasm/charid ${f(row.ffmpegwasm_chromium, 2)}`);
  }
} finally {
  await browser?.close();
  await server?.close();
}

const f = (v, d = 0) => (v == null ? 'n/a' : v.toFixed(d));
const date = new Date().toISOString().slice(0, 10);
const h1080 = rows.find((x) => x.label === 'H.264 1080p');
const body = [
  `Written by \`node bench/media.mjs\` (part of \`npm run bench\`) on ${date}; median of ${RUNS} runs, the four engines interleaved run by run (machine: see the top of this file${chromiumVersion ? `; Chromium ${chromiumVersion}` : ''}). Ratios are medians of the per-run ratios.`,
  '',
  '- **charid Node**: the wasm core under Node (Emscripten, FFmpeg 5.1 decode-only + dav1d, SIMD, one thread), a fresh process per run: open, seek, decode only what the 16 samples need (non-reference frames skipped when samples are sparse), convert to upright RGB with the short side at 512, measure quality.',
  '- **charid Chromium**: the same module in a module Worker of headless Chromium, the file fetched into a Blob first (not timed) and read through `lib/readers/blob_reader.mjs` (FileReaderSync), as the page does.',
  '- **native**: Debian\'s ffmpeg 5.1, `-threads 1 -t 4 -i IN -an -f null -`: every frame of the window decoded, nothing converted (wall time of the process, including its start).',
  '- **ffmpeg.wasm**: `@ffmpeg/core` 0.12.10 (the single-threaded core `@ffmpeg/ffmpeg` loads) driven directly in a Worker: the file written into MEMFS, `-threads 1 -t 4 -i input -an -vf fps=4,scale=<short side 512> -frames:v 16 -f rawvideo -pix_fmt rgb24 out.rgb`, the output read back. Same 16 frames at the same size as charid (fps=4 takes the frame nearest each quarter second, charid the one nearest each quarter\'s middle).',
  '- Times exclude loading and instantiating the wasm modules (charid about ' + `${f(median(rows.map((r) => r.chromium_init)))} ms, ffmpeg.wasm about ${f(median(rows.map((r) => r.ffmpegwasm_init)))} ms in Chromium) and fetching the file.`,
  '',
  '| video | charid Node ms | charid Chromium ms | native ffmpeg ms | ffmpeg.wasm ms | charid Node / native | charid Chromium / native | ffmpeg.wasm / charid Chromium |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${f(r.node_ms)} | ${f(r.chromium_ms)} | ${f(r.native_ms)} | ${r.ffmpegwasm_error ? `fails: ${r.ffmpegwasm_error}` : f(r.ffmpegwasm_ms)} | ${f(r.node_native, 2)} | ${f(r.chromium_native, 2)} | ${r.ffmpegwasm_error ? '-' : f(r.ffmpegwasm_chromium, 2)} |`),
  '',
  ...(rows.some((r) => r.ffmpegwasm_error) ? [`ffmpeg.wasm "cannot decode": its video decoders for these codecs are ${ffmpegDecoders.filter((d) => /av1|dav1d|aom|hevc|vp9|h264/.test(d)).map((d) => `\`${d}\``).join(', ')} (\`ffmpeg -decoders\` in the core); FFmpeg's own \`av1\` decoder only drives hardware, and the core has neither libdav1d nor libaom, so AV1 fails ("Missing Sequence Header"). charid ships dav1d.`, ''] : []),
  'Peak memory (MiB). Wasm memory is the module\'s linear memory at the end of a run in a fresh instance (it only grows, so it is the run\'s peak); native is ffmpeg\'s maxrss; ffmpeg.wasm also keeps the whole input file and the 16 RGB frames in MEMFS (JavaScript memory outside the wasm heap), shown apart.',
  '',
  '| video | file | frames | charid Node wasm | charid Chromium wasm | native RSS | ffmpeg.wasm wasm | ffmpeg.wasm MEMFS |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${r.file} | ${r.frames}${r.ffmpegwasm_frames != null && r.ffmpegwasm_frames !== r.frames ? ` (ffmpeg.wasm ${r.ffmpegwasm_frames})` : ''} | ${f(r.node_mem)} | ${f(r.chromium_mem)} | ${f(r.native_rss)} | ${f(r.ffmpegwasm_mem)} | ${f(r.ffmpegwasm_memfs)} |`),
  '',
  ...(() => {
    const faster = rows.filter((r) => r.ffmpegwasm_chromium != null && r.ffmpegwasm_chromium < 1).map((r) => `${r.label} (${f(r.ffmpegwasm_chromium, 2)})`);
    return faster.length ? [`ffmpeg.wasm was faster than charid on ${faster.join(', ')}: there both decode every frame of the window with FFmpeg's own decoder, and @ffmpeg/core's build of it is quicker per frame than charid's (a newer Emscripten/LLVM is the likely reason; charid is built with Debian's Emscripten 3.1.6).`, ''] : [];
  })(),
  `![decode-and-sample time per codec](media-decode.svg)`,
  '',
  `Target: the wasm stage at or below native single-thread full decode of the window for H.264 1080p: ${h1080 ? (h1080.node_native <= 1 ? `met (Node ratio ${f(h1080.node_native, 2)})` : `NOT met (Node ratio ${f(h1080.node_native, 2)}, Chromium ${f(h1080.chromium_native, 2)})`) : 'not measured'}.`,
].join('\n');

if (smoke) {
  console.log(body);
} else {
  writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Media core', body);
  fs.writeFileSync(path.join(root, 'docs', 'media-decode.svg'), barChartSvg({
    title: 'Decode and sample a 4 s window (16 frames), median ms, lower is better',
    unit: 'ms',
    series: [
      { name: 'charid wasm, Node', color: '#1f77b4' },
      { name: 'charid wasm, Chromium', color: '#6baed6' },
      { name: 'native ffmpeg, 1 thread (full decode)', color: '#2ca02c' },
      { name: 'ffmpeg.wasm 0.12, Chromium', color: '#d62728' },
    ],
    groups: rows.map((r) => ({ label: r.label, values: [r.node_ms, r.chromium_ms, r.native_ms, r.ffmpegwasm_error ? null : r.ffmpegwasm_ms] })),
    note: `npm run bench, ${date}, median of ${RUNS} interleaved runs on a shared 2-core machine`,
  }));
}
