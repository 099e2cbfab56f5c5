// Unit tests of the page's pure TypeScript (web/src/logic.ts), compiled with esbuild.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTs } from './ts.mjs';

const L = await loadTs('web/src/logic.ts');

test('errorText keeps the core\'s own sentence and explains codes', () => {
  assert.equal(
    L.errorText({ code: 'resolution_too_low', message: 'This video is 640x360; use one at least 720p (the short side must be 720 pixels or more).' }),
    'This video is 640x360; use one at least 720p (the short side must be 720 pixels or more).');
  assert.match(L.errorText({ code: 'unreadable_input' }), /could not be read as a video/);
  assert.match(L.errorText({ code: 'cors_blocked' }), /CORS/);
  assert.match(L.errorText({ code: 'something_new', message: 'boom' }), /boom/);
  for (const code of L.MEDIA_CODES) assert.ok(L.errorText({ code }).length > 20, code);
  assert.equal(L.isMediaRejection('too_short'), true);
  assert.equal(L.isMediaRejection('rate_limited'), false);
});

test('validateName follows the registry: 1..80 characters, no control characters, not only spaces', () => {
  assert.equal(L.validateName('Mira'), null);
  assert.equal(L.validateName('é'.repeat(80)), null);
  assert.equal(L.validateName('🦊'.repeat(80)), null);
  assert.equal(L.validateName(''), 'invalid_name');
  assert.equal(L.validateName('   '), 'invalid_name');
  assert.equal(L.validateName('a'.repeat(81)), 'invalid_name');
  assert.equal(L.validateName('a\nb'), 'invalid_name');
});

test('formatBytes and bodyBytes', () => {
  assert.equal(L.formatBytes(0), '0 B');
  assert.equal(L.formatBytes(2048), '2.0 KB');
  assert.equal(L.formatBytes(3 * 1024 * 1024), '3.0 MB');
  assert.equal(L.bodyBytes('é'), 2);
  assert.equal(L.bodyBytes(undefined), 0);
});

test('prompt snippet names the character and its ID', () => {
  assert.match(L.promptSnippet('Mira', 'char_0123456789abcdef'), /^Mira \(character ID char_0123456789abcdef\)/);
});

test('quality report in plain words', () => {
  const lines = L.qualityReport({ display_width: 1280, display_height: 720, duration: 3.9, fps: 25 }, { start: 0, end: 3.9 },
    { sharpness: 100, mean_luma: 120, clipped_dark: 0, clipped_bright: 0, scene_cuts: [1.2] }, ['multiple_subjects']);
  assert.match(lines[0], /1280x720 \(good/);
  assert.ok(lines.some((l) => /Scene cuts: 1/.test(l)));
  assert.ok(lines.some((l) => /Several subjects/.test(l)));
  assert.match(L.qualityReport({ width: 640, height: 360 }, null, null)[0], /below 720p/);
});

test('window start is clamped into the video', () => {
  assert.equal(L.clampWindowStart(-1, 10), 0);
  assert.equal(L.clampWindowStart(8, 10), 6);
  assert.equal(L.clampWindowStart(2, 3), 0);
  assert.equal(L.clampWindowStart(5, null), 5);
});

test('character cards round-trip and bad ones are refused', () => {
  const payload = { schema: 'charid.embedding/1', model: 'charid-id@1', dims: 4, dtype: 'int8', scale: 0.01, vector: 'AQIDBA==' };
  const card = L.makeCard({ name: 'Mira', id: 'char_0123456789abcdefgh', model: 'charid-id@1', payload, thumbnails: ['data:x'] });
  const back = L.parseCard(JSON.stringify(card));
  assert.deepEqual(back.payload, payload);
  assert.equal(back.name, 'Mira');
  assert.throws(() => L.parseCard('nope'), /not JSON/);
  assert.throws(() => L.parseCard(JSON.stringify({ ...card, schema: 'x' })), /not a charid/);
  assert.throws(() => L.parseCard(JSON.stringify({ ...card, id: 'bad' })), /ID/);
});

test('SIMD probe, stage of each network, drift verdict', async () => {
  assert.equal(await L.hasSimd(), true); // Node 20 has wasm SIMD (wasm-feature-detect's check)
  const webAssembly = globalThis.WebAssembly; // a runtime without WebAssembly answers false, not a throw
  try {
    globalThis.WebAssembly = undefined;
    assert.equal(await L.hasSimd(), false);
  } finally {
    globalThis.WebAssembly = webAssembly;
  }
  assert.equal(L.stageOfModel('face_detector'), 'finding');
  assert.equal(L.stageOfModel('osnet-x0_25-msmt17'), 'identity');
  assert.deepEqual(L.STAGES.map((s) => s.key), ['reading', 'decoding', 'finding', 'identity', 'registering']);
  const d = L.driftVerdict([0.9, 0.8, 0.4], 0.6);
  assert.equal(d.below, 1);
  assert.equal(d.verdict, 'same');
  assert.equal(L.driftVerdict([0.1, 0.2], 0.6).verdict, 'different');
});

test('a card keeps the consent basis of a real person; an unknown basis is dropped', () => {
  const payload = { schema: 'charid.embedding/1', model: 'charid-id@1', dims: 4, dtype: 'int8', scale: 0.01, vector: 'AQIDBA==' };
  const base = { name: 'Mira', id: 'char_0123456789abcdefgh', model: 'charid-id@1', payload, thumbnails: [] };
  assert.deepEqual(L.parseCard(JSON.stringify(L.makeCard({ ...base, consent: { basis: 'self' } }))).consent, { basis: 'self' });
  assert.equal('consent' in L.makeCard(base), false);
  assert.equal(L.parseCard(JSON.stringify({ ...L.makeCard(base), consent: { basis: 'because' } })).consent, undefined);
  assert.deepEqual(Object.keys(L.CONSENT_LABELS), ['self', 'permission', 'fictional', 'not_a_person']);
  assert.equal(L.CONSENT_LABELS.permission, 'I have their permission');
});
