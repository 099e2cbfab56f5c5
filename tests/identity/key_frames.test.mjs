// Less inference for the same identity (issue 10 part 3): charid-id@2's costly parts (person-reid-0277
// on the subject-only frame, MobileNetV2-GeM, and the segmenter behind the mask) run on the clip's
// key frames only, and the vector stays that of every frame. Real clip, real networks; the runner
// is the real one with its calls counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../../models/fetch.mjs';
import { loadCore } from '../../lib/core_module.mjs';
import { sample } from '../../lib/media.mjs';
import { nodeRunner } from '../../lib/identity/node.mjs';
import { embedSample, sharpnessWeights } from '../../lib/identity/pipeline.mjs';
import { keyFrames, spreadFromKeyFrames } from '../../lib/identity/parts.mjs';

const clip = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/clips/signer_grey_a.mp4');

test.before(() => ensureModels({ quiet: true }));

test('key frames: the sharper frame of each pair of neighbours, and each frame takes its nearest', async () => {
  const sampled = await sample(clip, { count: 16, allowLowRes: true });
  const weights = sharpnessWeights(await loadCore(), sampled.frames);
  const keys = keyFrames(weights);
  assert.equal(keys.length, 8);
  keys.forEach((k, j) => {
    assert.ok(k === 2 * j || k === 2 * j + 1, `key ${k} of pair ${j}`);
    assert.ok(weights[k] >= weights[k ^ 1], `frame ${k} is not the sharper of its pair`);
  });
  assert.deepEqual(keyFrames([1, 1, 1]), [0, 2]);
  const spread = spreadFromKeyFrames([1, 2, 5], ['a', 'b', 'c'], 7);
  assert.deepEqual(spread, ['a', 'a', 'b', 'b', 'c', 'c', 'c']);
});

test('charid-id@2 runs 0277, MobileNetV2-GeM and the segmenter on half the frames for the same vector', async () => {
  const core = await loadCore();
  const runner = await nodeRunner();
  const spec = runner.manifest.embeddings.find((e) => e.model === 'charid-id@2');
  assert.deepEqual(spec.parts.filter((p) => p.frames === 'key').map((p) => p.name), ['body', 'mobilenetv2_gem']);
  const counted = (manifest) => {
    const frames = {};
    return {
      frames,
      runner: {
        ...runner,
        manifest,
        async run(key, data, dims) {
          frames[key] = (frames[key] ?? 0) + dims[0];
          return runner.run(key, data, dims);
        },
      },
    };
  };
  const sampled = await sample(clip, { count: 16, allowLowRes: true });
  const key = counted(runner.manifest);
  const withKeys = await embedSample(core, key.runner, sampled, { model: 'charid-id@2' });
  // the same model with every part on every frame, as before
  const everyFrame = { ...runner.manifest, embeddings: runner.manifest.embeddings.map((e) => (e === spec ? { ...e, parts: e.parts.map(({ frames, ...p }) => p) } : e)) };
  const all = counted(everyFrame);
  const withAll = await embedSample(core, all.runner, sampled, { model: 'charid-id@2' });
  assert.equal(all.frames['person-reid-0277'], 16);
  assert.equal(key.frames['person-reid-0277'], 8);
  assert.equal(all.frames['mobilenetv2-gem'], 16);
  assert.equal(key.frames['mobilenetv2-gem'], 8);
  assert.equal(all.frames.segmenter, 16);
  assert.equal(key.frames.segmenter, 8);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < withAll.vector.length; i++) {
    dot += withAll.vector[i] * withKeys.vector[i];
    na += withAll.vector[i] ** 2;
    nb += withKeys.vector[i] ** 2;
  }
  const cosine = dot / Math.sqrt(na * nb);
  assert.ok(cosine > 0.99, `key-frame vector vs every-frame vector: cosine ${cosine.toFixed(4)}`);
});
