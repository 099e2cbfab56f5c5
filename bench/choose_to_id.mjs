// "Choose -> ID in Chromium": the real page (the registry started like `npm start`, serving
// web/dist) in Debian's headless Chromium, per stage, for 4 s cuts of one 1080p fixture in 720p
// and 1080p H.264, VP9 and AV1 (made with Debian's ffmpeg into bench/out/choose_to_id/), with
// WebCodecs on and off (?webcodecs=0) and one thread or the measured count (?threads=1), next to
// native `ffmpeg -threads 1` decoding the same 4 s in the same run, as ratios; plus the CLI's
// `charid embed` per stage on the same files. Writes the "Choose -> ID in Chromium" section of
// docs/BENCHMARKS.md.   node bench/choose_to_id.mjs [--warm] [--runs N] [--clips h264_720,...] [--modes wc_1t,...] [--no-write]
//
// Stages, each from the moment the file input's change event fires (the person chose a file):
//   read      until the preview card is on screen (probe: the file's header read and checked)
//   first     until the first sampled frame is on screen
//   decode    the Worker's decode of the window (timings.decode)
//   find      detectors (timings.detect);  identity: crops + embedders + fusion (timings.embed)
//   register  the POST to the registry (timings.register)
//   total     until the ID is on screen (the bench clicks Create as soon as it is enabled)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './markdown_section.mjs';
import { chooseToId, openPage } from './browser/choose_to_id_page.mjs';
import { makeCuts, nativeDecodeMs } from './browser/cuts.mjs';
import { startServer, launchBrowser } from '../tests/browser/helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
// One run per cell by default: 24 page runs and the CLI take about 20 minutes on 2 shared cores.
const RUNS = Number(arg('--runs', process.env.CHARID_BENCH_RUNS || 1));
const write = !process.argv.includes('--no-write');
// --warm: each run first makes an ID from another clip (bunny_a.mp4) on the same page, then
// times the chosen cut: the engine's Worker, core, ORT and sessions already running, as for a
// second clip in one visit. Without it each run starts on a freshly opened page. Own section.
const warmPage = process.argv.includes('--warm');
const WARM_CLIP = path.resolve(root, '..', 'shared', 'fixtures', 'clips', 'bunny_a.mp4');
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cuts = makeCuts(path.join(root, 'bench', 'out', 'choose_to_id'));
const wanted = arg('--clips', null)?.split(',');
const clips = wanted ? cuts.filter((c) => wanted.includes(c.id)) : cuts;
const MODES = [
  { id: 'wc_auto', label: 'WebCodecs, measured threads', query: '' },
  { id: 'wc_1t', label: 'WebCodecs, 1 thread', query: '?threads=1' },
  { id: 'wasm_auto', label: 'wasm decoder, measured threads', query: '?webcodecs=0' },
  { id: 'wasm_1t', label: 'wasm decoder, 1 thread', query: '?webcodecs=0&threads=1' },
];

const wantedModes = arg('--modes', null)?.split(',');
const modes = wantedModes ? MODES.filter((m) => wantedModes.includes(m.id)) : MODES;
// A snapshot of web/dist (taken under the web build's lock), served instead of web/dist and
// its core used by the CLI runs: a rebuild in the shared tree during the run changes nothing.
const snapshot = path.join(root, 'bench', 'out', 'choose_to_id', 'web_dist');
fs.rmSync(snapshot, { recursive: true, force: true });
const copied = spawnSync('flock', ['/tmp/charid-web.lock', 'cp', '-r', path.join(root, 'web', 'dist'), snapshot], { encoding: 'utf8' });
if (copied.status !== 0 || !fs.existsSync(path.join(snapshot, 'index.html'))) throw new Error(`could not copy web/dist: ${copied.stderr}`);
const loadBefore = os.loadavg()[0];
const server = await startServer(['--web-root', snapshot]);
const browser = await launchBrowser();
const results = []; // { clip, mode, runs: [...] }
let version = null;
try {
  version = browser.context.browser()?.version() ?? null;
  // One warm-up Create: models into the profile's caches, the thread count and backends measured
  // and stored (IndexedDB), as for a person's second visit. Its figures are not kept.
  const warm = await openPage(browser.context, server.url, '');
  const w = await chooseToId(warm, clips[0].file, 'warm-up');
  console.log(`warm-up: ${Math.round(w.total)} ms (threads ${w.threads}, backend ${w.timings.backend ?? '?'})`);
  await warm.close();
  for (const clip of clips) {
    const native = nativeDecodeMs(clip.file, 3);
    for (const mode of modes) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await openPage(browser.context, server.url, mode.query);
        try {
          if (warmPage) await chooseToId(page, WARM_CLIP, `warm ${i}`);
          runs.push(await chooseToId(page, clip.file, `${clip.id} ${mode.id} ${i}`));
        } catch (err) {
          console.error(`${clip.id} ${mode.id}: ${err.message}`);
        } finally {
          await page.close();
        }
      }
      const row = { clip, mode, native, runs };
      results.push(row);
      const m = (k) => median(runs.map((r) => r[k]));
      console.log(`${clip.id} ${mode.id}: read ${m('read')} first ${m('first')} decode ${m('decode')} find ${m('find')} identity ${m('identity')} register ${m('register')} total ${m('total')} ms; native ffmpeg -threads 1 ${native.toFixed(0)} ms; decoder ${runs.map((r) => r.decoder).join(',')}`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

// The CLI on the same H.264 files, per stage (a fresh process each, like a person's command).
// H.264 only: the CLI's decoder is the page's wasm fallback, measured above for every codec.
const cli = [];
for (const clip of warmPage ? [] : clips.filter((c) => c.codec === 'h264')) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, 'cli', 'charid.mjs'), 'embed', clip.file, '--json'], {
      cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, CHARID_WASM_DIR: path.join(snapshot, 'core') },
    });
    const wall = performance.now() - t0;
    if (r.status !== 0) { console.error(`charid embed ${clip.id}: ${r.stderr.slice(-300)}`); continue; }
    runs.push({ wall, ...JSON.parse(r.stdout).timings_ms });
  }
  const m = (k) => median(runs.map((x) => x[k]));
  cli.push({ clip, decode: m('decode'), detect: m('detect'), embed: m('embed'), total: m('total'), wall: m('wall') });
}

// Report.
const s = (ms) => (ms == null ? 'n/a' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const x = (a, b) => (a == null || b == null ? 'n/a' : `${(a / b).toFixed(2)}x`);
const rows = results.map(({ clip, mode, native, runs }) => {
  const m = (k) => median(runs.map((r) => r[k]));
  const decoders = [...new Set(runs.map((r) => r.decoder ?? '?'))].join('/');
  const backends = [...new Set(runs.map((r) => `${r.timings.backend ?? '?'} ${r.threads ?? '?'}T`))].join('/');
  return { clip, mode, native, n: runs.length, read: m('read'), first: m('first'), decode: m('decode'), find: m('find'), identity: m('identity'), register: m('register'), total: m('total'), decoders, backends };
});
const table = [
  '| clip | mode | runs | read | first frames | decode | find | identity | register | choose -> ID | native decode | ID / native | decode / native | decoder | inference |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.clip.label} | ${r.mode.label} | ${r.n} | ${s(r.read)} | ${s(r.first)} | ${s(r.decode)} | ${s(r.find)} | ${s(r.identity)} | ${s(r.register)} | ${s(r.total)} | ${s(r.native)} | ${x(r.total, r.native)} | ${x(r.decode, r.native)} | ${r.decoders} | ${r.backends} |`),
];
const cliTable = [
  '| clip | decode | find | identity | file to vector | process wall | decode / native |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...cli.map((c) => `| ${c.clip.label} | ${s(c.decode)} | ${s(c.detect)} | ${s(c.embed)} | ${s(c.total)} | ${s(c.wall)} | ${x(c.decode, rows.find((r) => r.clip === c.clip)?.native)} |`),
];

// The issue's targets, on the 720p and 1080p H.264 cuts, in the fastest mode measured.
const verdicts = [];
for (const id of ['h264_720', 'h264_1080']) {
  const mine = rows.filter((r) => r.clip.id === id && r.total != null);
  if (!mine.length) continue;
  const best = mine.reduce((a, b) => (b.total < a.total ? b : a));
  const bestDecode = mine.reduce((a, b) => (b.decode < a.decode ? b : a));
  const bestFirst = mine.reduce((a, b) => (b.first < a.first ? b : a));
  const say = (what, got, target, unit) => `${what}: ${unit(got)} against a target of ${unit(target)}, ${got <= target ? 'met' : `missed by ${unit(got - target)} (${(got / target).toFixed(1)}x the target)`}`;
  verdicts.push(`- ${best.clip.label}: ${say(`choose -> ID (${best.mode.label})`, best.total, 2 * best.native, s)}; ${say(`page decode (${bestDecode.mode.label})`, bestDecode.decode, 0.5 * bestDecode.native, s)}; ${say(`first frames (${bestFirst.mode.label})`, bestFirst.first, 500, s)}.`);
}

const body = [
  `Written by \`node bench/choose_to_id.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}; the page of web/dist served by the registry on loopback, headless Chromium ${version ?? '?'} (no GPU: \`--disable-gpu\`, so the runner measures wasm only), one persistent profile warmed by one Create first (models cached, thread count and backend measured and stored). ${warmPage ? 'Each run opens the page anew, makes one ID from `bunny_a.mp4` first (so the Worker, the wasm core, ORT and the sessions are running), then chooses the cut, fills the name and clicks Create as soon as it is enabled.' : 'Each run opens the page anew (a new Worker: the wasm core, ORT and the model sessions start during the run, the models themselves come from the profile\'s cache), chooses the file at once, fills the name and clicks Create as soon as it is enabled; so choose -> ID includes starting the engine, as for a file chosen right after the page opened.'} Median of ${RUNS} runs per cell. Clips: 4 s cuts of \`Vanilagy__mediabunny/video.mp4\` (1920x1080 H.264) re-encoded by Debian's ffmpeg (bench/browser/cuts.mjs). "native decode" is \`ffmpeg -threads 1\` decoding the same whole 4 s cut to null (median of 3, same run); the page decodes only the 16 sampled frames' packets. Stages as in the header of bench/choose_to_id.mjs; "read" and "first frames" are from the file input's change event.`,
  '',
  ...table,
  '',
  `1-minute load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after (2 cores shared with other work: every figure is noisy).`,
  '',
  'Targets (issue 10), on the H.264 cuts in the fastest mode measured:',
  '',
  ...(verdicts.length ? verdicts : ['- (no H.264 cut measured)']),
  ...(warmPage ? [] : ['',
  `The CLI on the same H.264 cuts: \`charid embed FILE --json\`, a fresh Node process per run (wasm decoder, onnxruntime-web wasm, 1 thread), median of ${RUNS}; stages from the payload's timings_ms.`,
  '',
  ...cliTable]),
].join('\n');
console.log(body);
if (write) writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), warmPage ? 'Choose -> ID in Chromium, engine already running' : 'Choose -> ID in Chromium', body);
