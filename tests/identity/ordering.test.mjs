// The real pipeline on real clips: same-character pairs score above different-character pairs
// for a few fixed triples (people, a CG character, a cartoon animal). Orderings, not numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../../models/fetch.mjs';
import { compare, embed } from '../../lib/identity/node.mjs';
import { DEFAULT_MODEL } from '../../lib/identity/pipeline.mjs';

const clips = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/clips');
const payloads = new Map();
async function payload(clip) {
  if (!payloads.has(clip)) payloads.set(clip, (await embed(path.join(clips, clip), { allowLowRes: true })).payload);
  return payloads.get(clip);
}
async function similarity(a, b) {
  return (await compare(await payload(a), await payload(b))).similarity;
}

const TRIPLES = [
  // [anchor, same character, different character]
  ['signer_hoodie_a.mp4', 'signer_hoodie_b.mp4', 'signer_grey_a.mp4'],
  ['signer_yellow_a.mp4', 'signer_yellow_b.mp4', 'signer_pattern_a.mp4'],
  ['sintel_a.mp4', 'sintel_b.mp4', 'tos_whitecoat_a.mp4'],
  ['bunny_a.mp4', 'bunny_b.mp4', 'frank_a.mp4'],
];

test.before(() => ensureModels({ quiet: true }));

for (const [anchor, same, other] of TRIPLES) {
  test(`${anchor}: ${same} scores above ${other}`, async () => {
    const s = await similarity(anchor, same);
    const d = await similarity(anchor, other);
    assert.ok(s > d, `same ${s.toFixed(4)} <= different ${d.toFixed(4)}`);
  });
}

test('payload contract: schema, model, dims, int8 vector, subject and timings', async () => {
  const p = await payload('signer_grey_a.mp4');
  assert.equal(p.schema, 'charid.embedding/1');
  assert.equal(p.model, DEFAULT_MODEL);
  assert.equal(p.dtype, 'int8');
  assert.equal(Buffer.from(p.vector, 'base64').length, p.dims);
  assert.ok(p.scale > 0);
  assert.equal(p.frames, 16);
  assert.equal(p.subject.kind, 'person');
  assert.equal(p.subject.box.length, 4);
  for (const k of ['decode', 'detect', 'embed', 'total']) assert.ok(p.timings_ms[k] >= 0, k);
  assert.ok(p.window.end > p.window.start);
  assert.equal(p.source.codec, 'h264');
});

test('the same clip embeds to the same vector twice', async () => {
  const a = await payload('bird_a.mp4');
  const b = (await embed(path.join(clips, 'bird_a.mp4'), { allowLowRes: true })).payload;
  assert.equal(a.vector, b.vector);
});
