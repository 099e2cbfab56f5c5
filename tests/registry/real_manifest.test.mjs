// The registry on the project's own models/manifest.json: a charid-id@1
// character gains a charid-id@2 vector, and @2 is scored by the manifest's
// face_led rule with its calibrated threshold (read here from the manifest,
// not copied).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { api, embedding, newKey, repoRoot, startRegistry, vectorFromSeed } from './helpers.mjs';

const manifestPath = join(repoRoot, 'models/manifest.json');
const entries = JSON.parse(readFileSync(manifestPath, 'utf8')).embeddings;
const v1 = entries.find((e) => e.model === 'charid-id@1');
const v2 = entries.find((e) => e.model === 'charid-id@2');

// The manifest's rule written out in JS, independently of the C++.
function scoreByRule(entry, a, b) {
  const sums = (pick) => {
    let dot = 0; let na = 0; let nb = 0;
    for (const p of entry.parts) {
      if (!pick(p)) continue;
      for (let i = p.offset; i < p.offset + p.dims; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
    }
    return { c: na && nb ? dot / Math.sqrt(na * nb) : 0, na, nb };
  };
  const rule = entry.similarity;
  if (!rule || rule.rule === 'cosine') return sums(() => true).c;
  const face = sums((p) => p.name === rule.face_part);
  const rest = sums((p) => p.name !== rule.face_part).c;
  if (!(face.na > 0 && face.nb > 0)) return rest;
  // The face-led branch adds the manifest's face_offset, clamped to [-1, 1].
  const led = rule.face_weight * face.c + (1 - rule.face_weight) * rest + (rule.face_offset ?? 0);
  return Math.min(1, Math.max(-1, led));
}

const payload = (entry, v) => embedding(v, { model: entry.model, dims: entry.dims });

test('an @1 character takes an @2 vector; @2 verify follows the manifest rule and threshold', async () => {
  const s = await startRegistry({ manifest: manifestPath });
  try {
    const key = await newKey(s.url);
    const old = vectorFromSeed(31, v1.dims);
    const created = await api(s.url, 'POST', '/v1/characters', {
      key, body: { name: 'Made with @1', embedding: payload(v1, old), consent: { basis: 'self' } },
    });
    assert.equal(created.status, 201, created.text);
    const stored2 = vectorFromSeed(32, v2.dims);
    const added = await api(s.url, 'POST', `/v1/characters/${created.json.id}/embeddings`, { key, body: { embedding: payload(v2, stored2) } });
    assert.equal(added.status, 201, added.text);
    assert.deepEqual(added.json.models, ['charid-id@1', 'charid-id@2']);

    // A query sharing the stored vector's face part but not its other parts.
    const face = v2.parts.find((p) => p.name === v2.similarity.face_part);
    const query = Int8Array.from(vectorFromSeed(33, v2.dims), (x, i) => (i >= face.offset && i < face.offset + face.dims ? stored2[i] : x));
    const r = await api(s.url, 'POST', `/v1/characters/${created.json.id}/verify`, { key, body: { embedding: payload(v2, query) } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.model, 'charid-id@2');
    assert.equal(r.json.threshold, v2.threshold);
    assert.ok(Math.abs(r.json.score - scoreByRule(v2, query, stored2)) < 1e-5, r.text);
    assert.equal(r.json.verdict, r.json.score >= v2.threshold ? 'same' : 'different');
    // The @1 vector still verifies with @1's threshold and plain cosine.
    const r1 = await api(s.url, 'POST', `/v1/characters/${created.json.id}/verify`, { key, body: { embedding: payload(v1, old) } });
    assert.equal(r1.json.threshold, v1.threshold);
    assert.ok(Math.abs(r1.json.score - 1) < 1e-6);
  } finally {
    await s.stop();
    s.cleanup();
  }
});
