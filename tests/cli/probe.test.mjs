// charid probe on real files: the JSON contract, readable output, error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charid, media, clip } from './helpers.mjs';

const SOURCE_FIELDS = ['container', 'codec', 'width', 'height', 'display_width', 'display_height',
  'rotation', 'duration', 'fps', 'bytes', 'has_audio'];

test('probe --json prints the contract fields for a 720p clip', async () => {
  const r = await charid(['probe', clip('bunny_a.mp4'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.ok, true);
  assert.deepEqual(Object.keys(r.json.source).sort(), [...SOURCE_FIELDS].sort());
  assert.equal(r.json.source.codec, 'h264');
  assert.equal(r.json.source.width, 1280);
  assert.equal(r.json.source.height, 720);
  assert.deepEqual(r.json.window, { start: 0, end: r.json.source.duration });
  assert.ok(Array.isArray(r.json.warnings));
});

test('probe follows --start and --duration, capped at 4 s', async () => {
  const r = await charid(['probe', media('Zulko__moviepy/big_buck_bunny_0_30.webm'), '--start', '5', '--duration', '9', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.window, { start: 5, end: 9 });
  const shorter = await charid(['probe', media('Zulko__moviepy/big_buck_bunny_0_30.webm'), '--duration', '2.5', '--json']);
  assert.deepEqual(shorter.json.window, { start: 0, end: 2.5 });
});

test('probe reports rotation and the upright display size', async () => {
  const r = await charid(['probe', media('Vanilagy__mediabunny/rotate-buck-bunny.mp4'), '--json']);
  assert.equal(r.json.source.rotation, 90);
  assert.equal(r.json.source.display_width, 1080);
  assert.equal(r.json.source.display_height, 1920);
});

test('probe without --json prints readable lines', async () => {
  const r = await charid(['probe', media('Vanilagy__mediabunny/video.mp4')]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /codec\s+h264/);
  assert.match(r.stdout, /1920x1080/);
  assert.match(r.stdout, /window\s+0 s to 4 s/);
});

const REJECTIONS = [
  ['resolution_too_low', 'Yahweasel__libav.js/bbb_bitrate.webm'],
  ['unreadable_input', 'Eyevinn__mp4ff/init_truncated.mp4'],
  ['unreadable_input', 'sitkevij__test-media/chunk_out_of_range.mp4'],
  ['unreadable_input', 'PROVENANCE.md'],
  ['unreadable_input', 'does-not-exist.mp4'],
  ['no_video_stream', 'Eyevinn__mp4ff/opus.mp4'],
  ['unsupported_codec', 'Eyevinn__mp4ff/vvc_400kbps_2s.mp4'],
  ['encrypted_input', 'Eyevinn__mp4ff/cbcs.mp4'],
  ['encrypted_input', 'sitkevij__test-media/short-cenc.mp4'],
];
for (const [code, file] of REJECTIONS) {
  test(`probe rejects ${file} with ${code} and exit status 2`, async () => {
    const r = await charid(['probe', media(file), '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json.ok, false);
    assert.equal(r.json.error.code, code);
    assert.ok(r.json.error.message.length > 20, 'the message says what to do');
  });
}

test('too_short needs the 720p minimum off to be reached on a tiny clip', async () => {
  const r = await charid(['probe', media('sitkevij__test-media/minimal.mp4'), '--allow-low-res', '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.json.error.code, 'too_short');
});

test('--allow-low-res accepts a 360p clip', async () => {
  const r = await charid(['probe', media('Yahweasel__libav.js/bbb_bitrate.webm'), '--allow-low-res', '--json']);
  assert.equal(r.code, 0);
  assert.equal(r.json.source.codec, 'vp9');
});

test('usage mistakes exit 1 with a message', async () => {
  const r = await charid(['probe', '--bogus', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unknown option --bogus/);
  const none = await charid(['probe']);
  assert.equal(none.code, 1);
});
