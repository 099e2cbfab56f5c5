// The decoder-less core (charid-core-demux, loadCore({ variant: 'demux' })) must plan exactly as
// the full core does: same source description (colour included), window, WebCodecs config,
// targets and packets. The page loads it first when WebCodecs serves (web/src/worker.ts), so a
// difference here would be a different ID in the browser than in the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore } from '../../lib/core_module.mjs';
import { openFileReader } from '../../lib/readers/file_reader.mjs';
import { media } from './media_inputs.mjs';

// `colour: 'partial'` marks the streams whose colour description (matrix, range) FFmpeg only
// learns from a decoder during stream probing (H.264/HEVC VUI, VP9 frame headers): the demux
// core plans them with those fields null, so the Worker must not use its plan for them (a
// VideoFrame's own colour space then decides). `sar: 'unknown'`: the sample aspect ratio is
// 0/0 (unknown) without a decoder, 1/1 with one.
const clips = [
  { name: 'H.264 1080p MP4', file: 'Vanilagy__mediabunny/video.mp4', colour: 'partial' },
  { name: 'VP9 720p WebM', file: 'Vanilagy__mediabunny/transparency.webm', colour: 'partial' },
  { name: 'VP9 IVF (low res)', file: 'Eyevinn__mp4ff/vp9.ivf', colour: 'partial' },
  { name: 'HEVC MP4', file: 'Vanilagy__mediabunny/video-h265.mp4', colour: 'partial' },
  { name: 'AV1 Matroska', file: 'pytorch__torchcodec/av1_video.mkv', colour: 'same' },
  { name: 'AV1 IVF (low res)', file: 'Eyevinn__mp4ff/av1.ivf', colour: 'same', sar: 'unknown' },
  { name: 'H.264 10-bit MP4', file: 'pytorch__torchcodec/h264_10bits.mp4', colour: 'same' },
  { name: 'rotated H.264 (colr box)', file: 'Vanilagy__mediabunny/rotate-buck-bunny.mp4', colour: 'same' },
];
const options = { start: 0, allowLowRes: true, count: 8 };

const plan = (core, file) => withReader(file, (r) => core.decodePlan(r, options));

// Packets as comparable values (their bytes as a hash-free length + sum, enough to catch a
// different packet without holding two copies of every byte in the assertion message).
const packetSummary = (p) => p.packets.map((k) => {
  let sum = 0;
  for (const b of k.data) sum = (sum + b) % 1_000_000_007;
  return [k.timestamp, k.duration, k.key, k.data.length, sum];
});

test('the demux core plans every fixture as the full core does, short of what only a decoder knows', { timeout: 120_000 }, async (t) => {
  const [full, demux] = await Promise.all([loadCore({ variant: 'full' }), loadCore({ variant: 'demux' })]);
  for (const clip of clips) {
    const a = plan(full, clip.file);
    const b = plan(demux, clip.file);
    assert.equal(a.ok, true, `${clip.name}: the full core refused it (${JSON.stringify(a.error)})`);
    assert.equal(b.ok, true, `${clip.name}: the demux core refused it (${JSON.stringify(b.error)})`);
    t.diagnostic(`${clip.name}: ${b.config.codec}, colour full ${JSON.stringify(a.config.colorSpace)} demux ${JSON.stringify(b.config.colorSpace)}, ` +
      `pixel format full ${a.source.pixel_format}/${a.source.bit_depth} demux ${b.source.pixel_format}/${b.source.bit_depth}, ${b.packets.length} packets`);
    // The pixel format (and so the bit depth) is only known once a decoder has looked at a
    // frame during FFmpeg's stream probing: the demux core leaves it empty. The colour
    // description (config.colorSpace) comes from the container and bitstream headers.
    const { pixel_format: pa, bit_depth: da, ...restA } = a.source;
    const { pixel_format: pb, bit_depth: db, ...restB } = b.source;
    assert.deepEqual(restB, restA, `${clip.name}: source differs`);
    assert.ok(pb === pa || pb === '', `${clip.name}: demux pixel format ${pb}, full ${pa}`);
    assert.deepEqual(b.window, a.window, `${clip.name}: window differs`);
    const { colorSpace: colourA, sarNum: sa, sarDen: sda, ...configA } = a.config;
    const { colorSpace: colourB, sarNum: sb, sarDen: sdb, ...configB } = b.config;
    assert.deepEqual(configB, configA, `${clip.name}: WebCodecs config differs`);
    if (clip.sar === 'unknown') assert.deepEqual([sb, sdb, sa, sda], [0, 0, 1, 1], `${clip.name}: sample aspect ratio`);
    else assert.deepEqual([sb, sdb], [sa, sda], `${clip.name}: sample aspect ratio differs`);
    if (clip.colour === 'same') {
      assert.deepEqual(colourB, colourA, `${clip.name}: colour description differs`);
    } else {
      // never a different value, only a missing one, and at least one really missing
      for (const [k, v] of Object.entries(colourB)) assert.ok(v === null || v === colourA[k], `${clip.name}: colour ${k} ${v} vs ${colourA[k]}`);
      assert.ok(Object.keys(colourA).some((k) => colourA[k] !== null && colourB[k] === null),
        `${clip.name}: the demux core now knows the whole colour description; mark it 'same'`);
    }
    assert.deepEqual(b.targets, a.targets, `${clip.name}: targets differ`);
    assert.deepEqual(b.expected, a.expected, `${clip.name}: expected frames differ`);
    assert.deepEqual(packetSummary(b), packetSummary(a), `${clip.name}: packets differ`);
  }
});

function withReader(file, fn) {
  const reader = openFileReader(media(file));
  try {
    return fn(reader);
  } finally {
    reader.close();
  }
}

test('the demux core probes a VP8 stream but answers unsupported_codec when asked to decode it', async () => {
  const demux = await loadCore({ variant: 'demux' });
  const probed = withReader('Eyevinn__mp4ff/vp8.ivf', (r) => demux.probe(r, { allowLowRes: true }));
  assert.equal(probed.ok, true, JSON.stringify(probed.error));
  assert.equal(probed.source.codec, 'vp8');
  const sampled = withReader('Eyevinn__mp4ff/vp8.ivf', (r) => demux.sample(r, { allowLowRes: true, count: 2 }, () => {}));
  assert.equal(sampled.ok, false);
  assert.equal(sampled.error.code, 'unsupported_codec');
  assert.match(sampled.error.message, /vp8 codec/);
});
