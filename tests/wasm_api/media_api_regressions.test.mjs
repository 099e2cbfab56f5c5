// Plain regression tests for what the property tests of the media API found
// (media_api_properties.test.mjs), one case each: every call answers with a
// value or a typed error, in bounded time, and the module keeps working.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadCore } from '../../lib/core_module.mjs';
import { SMALL_FILES, assertAnswer, assertStillWorks, media, memoryReader } from './media_inputs.mjs';

const vp9 = SMALL_FILES.find((f) => f.rel === 'Eyevinn__mp4ff/vp9.ivf').bytes;
let core;
before(async () => { core = await loadCore(); });

const expectError = (r, code, pattern) => {
  assertAnswer(r, 'answer');
  assert.equal(r.ok, false, 'expected an error value');
  assert.equal(r.error.code, code, r.error.message);
  if (pattern) assert.match(r.error.message, pattern);
};

test('something that is not a reader is invalid_argument, not a TypeError', () => {
  for (const notReader of [null, undefined, 42, 'clip.mp4', {}, { size: 10 }, { size: 10, readInto: 3 }, memoryReader(vp9, NaN)]) {
    expectError(core.probe(notReader, {}), 'invalid_argument', /reader must be an object/);
    expectError(core.sample(notReader, {}, null), 'invalid_argument', /reader must be an object/);
  }
  assertStillWorks(core);
});

test('a reader that throws is a failed read (unreadable_input), not an exception through the core', () => {
  const throwing = { size: vp9.length, readInto() { throw new Error('disk gone'); } };
  expectError(core.probe(throwing, { allowLowRes: true }), 'unreadable_input');
  // throwing half way, while frames are being decoded
  const late = { size: vp9.length, readInto: (o, v) => { if (o > 0) throw new Error('disk gone'); return memoryReader(vp9).readInto(o, v); } };
  assertAnswer(core.sample(late, { allowLowRes: true }, null), 'sample over a reader that throws late');
  assertStillWorks(core);
});

test('a reader answering more bytes than asked, or not a number, is a failed read', () => {
  for (const answer of [1e9, NaN, '12', -7, 2.5]) {
    const liar = { size: vp9.length, readInto: () => answer };
    expectError(core.probe(liar, { allowLowRes: true }), 'unreadable_input');
  }
  assertStillWorks(core);
});

test('a reader that never says "end" is read up to its size and sampling ends', () => {
  // Past its size it keeps answering 7 (bytes it never wrote): before, the demuxer read on forever.
  const endless = { size: vp9.length, readInto: (o, v) => (o < vp9.length ? memoryReader(vp9).readInto(o, v) : 7) };
  const started = Date.now();
  const r = core.sample(endless, { allowLowRes: true, count: 16, maxShortSide: 64 }, null);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.ok(r.frames.length >= 12);
  assert.ok(Date.now() - started < 20_000);
  assertStillWorks(core);
});

test('an option of the wrong type is invalid_argument naming it, not silently ignored', () => {
  const cases = [
    [{ count: '4' }, /option count must be a whole number/],
    [{ count: NaN }, /option count must be a whole number/],
    [{ count: 2.5 }, /option count must be a whole number/],
    [{ maxShortSide: 2 ** 40 }, /option maxShortSide must be a whole number/],
    [{ start: '1' }, /option start must be a number/],
    [{ allowLowRes: 'yes' }, /option allowLowRes must be true or false/],
    ['count=4', /options must be an object/],
  ];
  for (const [options, pattern] of cases) {
    expectError(core.sample(memoryReader(vp9), options, null), 'invalid_argument', pattern);
  }
  // null and undefined keys keep their defaults
  const r = core.sample(memoryReader(vp9), { allowLowRes: true, count: null, start: undefined, maxShortSide: 64 }, null);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.frames.length, 16);
});

test('an onProgress that throws stops sampling with invalid_argument; one that is not a function is refused', () => {
  let calls = 0;
  const stop = () => { calls += 1; throw new Error('cancelled'); };
  expectError(core.sample(memoryReader(vp9), { allowLowRes: true, maxShortSide: 64 }, stop), 'invalid_argument', /onProgress threw/);
  assert.equal(calls, 1, 'not called again after it threw');
  expectError(core.sample(memoryReader(vp9), { allowLowRes: true }, 'progress'), 'invalid_argument', /onProgress must be a function/);
  assertStillWorks(core);
});

test('more frames than fit in memory are refused up front, not an out-of-memory abort', () => {
  const hd = new Uint8Array(fs.readFileSync(media('Vanilagy__mediabunny/video.mp4')));
  const started = Date.now();
  expectError(core.sample(memoryReader(hd), { count: 256, maxShortSide: 4096 }, null), 'invalid_argument', /256 frames of 1920x1080 would need/);
  assert.ok(Date.now() - started < 5000, 'refused before decoding');
  assertStillWorks(core);
});

test('a start too large to make a window is invalid_argument, not an empty window', () => {
  // Found with a damaged MP4 that demuxes as raw H.264, whose duration is unknown.
  const raw = new Uint8Array(fs.readFileSync(media('NVIDIA__VideoProcessingFramework/test_res_change.h264')));
  for (const start of [1e308, 1e17]) {
    expectError(core.probe(memoryReader(raw), { allowLowRes: true, start }), 'invalid_argument', /is empty/);
  }
  assertStillWorks(core);
});
