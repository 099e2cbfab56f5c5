// Inputs for the tests of the wasm module's media API (probe, sample): real
// fixture files held in memory, readers over them (honest and adversarial),
// and the shape every answer must have.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const media = (rel) => path.resolve(root, '..', 'shared', 'fixtures', 'media', rel);

// Small real files: several containers and codecs, a 10-bit one, broken and encrypted ones.
export const SMALL_FILES = [
  'Eyevinn__mp4ff/vp9.ivf',
  'Eyevinn__mp4ff/av1.ivf',
  'Eyevinn__mp4ff/vp8.ivf',
  'pytorch__torchcodec/h264_10bits.mp4',
  'Zulko__moviepy/transparent.webm',
  'Zulko__moviepy/big_buck_bunny_432_433.webm',
  'Vanilagy__mediabunny/edts.mp4',
  'Vanilagy__mediabunny/annex-b.mp4',
  'Eyevinn__mp4ff/cbcs.mp4',
  'Eyevinn__mp4ff/opus.mp4',
  'Eyevinn__mp4ff/init_truncated.mp4',
  'sitkevij__test-media/chunk_out_of_range.mp4',
].map((rel) => ({ rel, bytes: new Uint8Array(fs.readFileSync(media(rel))) }));

export const ERROR_CODES = new Set([
  'unreadable_input', 'no_video_stream', 'unsupported_codec', 'encrypted_input',
  'resolution_too_low', 'too_short', 'input_too_large', 'invalid_argument',
]);

// An honest reader over bytes in memory, counting its reads.
export function memoryReader(bytes, size = bytes.length) {
  return {
    size,
    reads: 0,
    readInto(offset, view) {
      this.reads += 1;
      if (offset >= bytes.length) return 0;
      const part = bytes.subarray(offset, offset + view.length);
      view.set(part);
      return part.length;
    },
  };
}

// The answer of probe or sample is a value or a typed error, nothing else.
export function assertAnswer(r, what) {
  assert.equal(typeof r, 'object', `${what}: answered ${r}`);
  assert.notEqual(r, null, `${what}: answered null`);
  if (r.ok === true) {
    assert.equal(typeof r.source, 'object', what);
    assert.ok(r.window.end > r.window.start, `${what}: window ${JSON.stringify(r.window)}`);
    for (const f of r.frames ?? []) {
      assert.ok(f.rgb instanceof Uint8Array, what);
      assert.equal(f.rgb.length, f.width * f.height * 3, `${what}: frame buffer and size disagree`);
    }
    return;
  }
  assert.equal(r.ok, false, `${what}: ok is ${r.ok}`);
  assert.ok(ERROR_CODES.has(r.error?.code), `${what}: error code ${r.error?.code}`);
  assert.equal(typeof r.error.message, 'string', what);
  assert.ok(r.error.message.length > 10, `${what}: message "${r.error.message}"`);
}

// The module still answers a plain call correctly (it did not abort or leak into a broken state).
export function assertStillWorks(core) {
  const vp9 = SMALL_FILES[0];
  const r = core.probe(memoryReader(vp9.bytes), { allowLowRes: true });
  assert.equal(r.ok, true, `after the call, a plain probe failed: ${JSON.stringify(r.error)}`);
  assert.equal(r.source.codec, 'vp9');
}
