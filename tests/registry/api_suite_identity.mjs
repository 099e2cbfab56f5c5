// API v1 for identity v2 against the real server: per-part scoring of a
// face_led model in match, consent records, several models per character
// and verify. Shared by both storage backends (api.test.mjs, postgres.test.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  api, createCharacter, embedding, newKey, PARTS_DIMS, PARTS_FACE, serverForSuite, vectorFromSeed,
} from './helpers.mjs';

// The face_led rule written out independently of the C++ (0.8 face weight).
function faceLed(a, b, [f0, f1] = PARTS_FACE, w = 0.8) {
  const cos = (pick) => {
    let dot = 0; let na = 0; let nb = 0;
    for (let i = 0; i < a.length; i++) {
      if (!pick(i)) continue;
      dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i];
    }
    return { c: na && nb ? dot / Math.sqrt(na * nb) : 0, na, nb };
  };
  const face = cos((i) => i >= f0 && i < f1);
  const rest = cos((i) => i < f0 || i >= f1).c;
  return face.na > 0 && face.nb > 0 ? w * face.c + (1 - w) * rest : rest;
}

const withFaceOf = (v, donor) => Int8Array.from(v, (x, i) => (i >= PARTS_FACE[0] && i < PARTS_FACE[1] ? donor[i] : x));
const withoutFace = (v) => Int8Array.from(v, (x, i) => (i >= PARTS_FACE[0] && i < PARTS_FACE[1] ? 0 : x));

export function defineIdentitySuite(label, start) {
  const running = serverForSuite(start);

  describe(`${label}: a face_led model is scored per part in match`, () => {
    test('the same face in other clothes ranks above a look-alike; a one-sided face keeps the score', async () => {
      const base = running.url;
      const key = await newKey(base);
      const person = vectorFromSeed(900, PARTS_DIMS);
      const otherClothes = withFaceOf(vectorFromSeed(901, PARTS_DIMS), person); // same face, new body
      const lookalike = withFaceOf(person, vectorFromSeed(902, PARTS_DIMS)); // same body, other face
      const samePerson = (await createCharacter(base, key, 'Same person', otherClothes)).json.id;
      const impostor = (await createCharacter(base, key, 'Look-alike', lookalike)).json.id;
      const m = await api(base, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(person), k: 2 } });
      assert.equal(m.status, 200, m.text);
      assert.deepEqual(m.json.matches.map((x) => x.id), [samePerson, impostor]);
      assert.ok(Math.abs(m.json.matches[0].score - faceLed(person, otherClothes)) < 1e-5);
      assert.ok(Math.abs(m.json.matches[1].score - faceLed(person, lookalike)) < 1e-5);

      // Seen from behind (no face in the query): appearance alone decides,
      // and the look-alike in the same clothes is now the best match.
      const behind = await api(base, 'POST', '/v1/characters/match', {
        key, body: { embedding: embedding(withoutFace(person)), k: 1 },
      });
      assert.equal(behind.json.matches[0].id, impostor);
      assert.ok(Math.abs(behind.json.matches[0].score - faceLed(withoutFace(person), lookalike)) < 1e-5);
    });
  });
}
