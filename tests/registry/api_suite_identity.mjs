// API v1 for identity v2 against the real server: per-part scoring of a
// face_led model in match, consent records, several models per character
// and verify. Shared by both storage backends (api.test.mjs, postgres.test.mjs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  api, assertErrorShape, createCharacter, DIMS, embedding, MODEL, newKey, OTHER_DIMS, OTHER_MODEL,
  PARTS_DIMS, PARTS_FACE, PARTS_MODEL, serverForSuite, THRESHOLDS, vectorFromSeed,
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

  describe(`${label}: consent`, () => {
    const create = (key, body) => api(running.url, 'POST', '/v1/characters', { key, body });
    const cosine = (a, b) => {
      let dot = 0; let na = 0; let nb = 0;
      for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
      return dot / Math.sqrt(na * nb);
    };

    test('a face or person without consent is 422 consent_required, saying why', async () => {
      const key = await newKey(running.url);
      for (const [i, subject] of [{ kind: 'face', box: [0, 0, 1, 1] }, { kind: 'person', box: [0, 0, 1, 1] }, 'face'].entries()) {
        const r = await create(key, { name: `Nobody ${i}`, embedding: embedding(vectorFromSeed(1000 + i), { subject }) });
        assertErrorShape(assert, r, 422, 'consent_required');
        assert.match(r.json.error.message, /biometric/);
        assert.match(r.json.error.message, /"consent"/);
      }
      const list = await api(running.url, 'GET', '/v1/characters', { key });
      assert.equal(list.json.data.length, 0, 'nothing was stored');
    });

    test('other subjects need none; a bad basis is 400', async () => {
      const key = await newKey(running.url);
      for (const kind of ['animal', 'object', 'unknown']) {
        const r = await create(key, { name: `A ${kind}`, embedding: embedding(vectorFromSeed(1010), { subject: { kind, box: [0, 0, 1, 1] } }) });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.consent, null);
      }
      for (const consent of [{ basis: 'because' }, { basis: 1 }, {}, 'self', []]) {
        assertErrorShape(assert, await create(key, { name: 'Bad consent', embedding: embedding(vectorFromSeed(1011)), consent }), 400, 'invalid_request');
      }
    });

    test('the basis and its time are stored, returned by GET and list, and never change', async () => {
      const key = await newKey(running.url);
      const made = {};
      for (const [i, basis] of ['self', 'permission', 'fictional', 'not_a_person'].entries()) {
        const before = Date.now();
        const r = await createCharacter(running.url, key, `Consent ${basis}`, vectorFromSeed(1020 + i), undefined, { consent: { basis } });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(Object.keys(r.json.consent).sort(), ['basis', 'recorded_at']);
        assert.equal(r.json.consent.basis, basis);
        assert.ok(Date.parse(r.json.consent.recorded_at) >= before - 2000);
        made[basis] = r.json;
      }
      const got = await api(running.url, 'GET', `/v1/characters/${made.self.id}`, { key });
      assert.deepEqual(got.json.consent, made.self.consent);
      const list = await api(running.url, 'GET', '/v1/characters', { key });
      for (const c of list.json.data) {
        const basis = c.name.replace('Consent ', '');
        assert.deepEqual(c.consent, made[basis].consent);
      }
      // The same create with another basis is the same character, consent unchanged.
      const again = await createCharacter(running.url, key, 'Consent self', vectorFromSeed(1020), undefined, { consent: { basis: 'fictional' } });
      assert.equal(again.json.id, made.self.id);
      assert.deepEqual(again.json.consent, made.self.consent);
    });

    // The consent rule and the vectors of several models, together: adding a
    // face vector to a character that has no consent record is refused too.
    test('POST /embeddings: add a vector of another model, owner only, idempotent', async () => {
      const owner = await newKey(running.url);
      const stranger = await newKey(running.url);
      const v1 = vectorFromSeed(1100);
      const v2 = vectorFromSeed(1101, OTHER_DIMS);
      const c = (await createCharacter(running.url, owner, 'Two models', v1, 'public')).json;
      assert.deepEqual(c.models, [MODEL]);
      const path = `/v1/characters/${c.id}/embeddings`;
      assertErrorShape(assert, await api(running.url, 'POST', path, { key: stranger, body: { embedding: embedding(v2) } }), 404, 'not_found');
      const added = await api(running.url, 'POST', path, { key: owner, body: { embedding: embedding(v2) } });
      assert.equal(added.status, 201, added.text);
      assert.deepEqual(added.json, { id: c.id, models: [MODEL, OTHER_MODEL] });
      // Again, with the same or another vector of that model: 200, nothing duplicated or replaced.
      for (const v of [v2, vectorFromSeed(1102, OTHER_DIMS)]) {
        const again = await api(running.url, 'POST', path, { key: owner, body: { embedding: embedding(v) } });
        assert.equal(again.status, 200, again.text);
        assert.deepEqual(again.json, { id: c.id, models: [MODEL, OTHER_MODEL] });
      }
      const creationModelAgain = await api(running.url, 'POST', path, { key: owner, body: { embedding: embedding(vectorFromSeed(1103)) } });
      assert.equal(creationModelAgain.status, 200);
      assert.deepEqual(creationModelAgain.json.models, [MODEL, OTHER_MODEL]);
      const got = await api(running.url, 'GET', `/v1/characters/${c.id}`, { key: stranger });
      assert.deepEqual(got.json.models, [MODEL, OTHER_MODEL]);
      assert.equal(got.json.model, MODEL);
      const listed = await api(running.url, 'GET', '/v1/characters', { key: owner });
      assert.deepEqual(listed.json.data.find((x) => x.id === c.id).models, [MODEL, OTHER_MODEL]);

      // match uses the vector of the query's model: the stored one, not the replaced attempt.
      const m = await api(running.url, 'POST', '/v1/characters/match', { key: stranger, body: { embedding: embedding(v2), k: 50 } });
      const hit = m.json.matches.find((x) => x.id === c.id);
      assert.ok(hit && Math.abs(hit.score - 1) < 1e-6, m.text);
      // A character without a vector of that model is not a candidate.
      const only1 = (await createCharacter(running.url, owner, 'One model', vectorFromSeed(1104), 'public')).json.id;
      const m2 = await api(running.url, 'POST', '/v1/characters/match', { key: owner, body: { embedding: embedding(v2), k: 50 } });
      assert.ok(!m2.json.matches.some((x) => x.id === only1));

      // Same validation and codes as create.
      for (const [bad, status, code] of [
        [{ embedding: embedding(v2, { model: 'charid-unknown@9' }) }, 422, 'unknown_model'],
        [{ embedding: embedding(v2, { dims: 31 }) }, 422, 'invalid_embedding'],
        [{ embedding: embedding(new Int8Array(OTHER_DIMS)) }, 422, 'invalid_embedding'],
        [{}, 400, 'invalid_request'],
        [{ embedding: 'x' }, 400, 'invalid_request'],
      ]) {
        assertErrorShape(assert, await api(running.url, 'POST', path, { key: owner, body: bad }), status, code);
      }
      assertErrorShape(assert, await api(running.url, 'POST', '/v1/characters/char_nosuchcharacter000/embeddings', { key: owner, body: { embedding: embedding(v2) } }), 404);

      // A character registered without consent (an animal) cannot gain a face vector.
      const pet = (await create(owner, { name: 'Pet', embedding: embedding(vectorFromSeed(1105), { subject: { kind: 'animal', box: [0, 0, 1, 1] } }) })).json;
      const face = await api(running.url, 'POST', `/v1/characters/${pet.id}/embeddings`, { key: owner, body: { embedding: embedding(v2) } });
      assertErrorShape(assert, face, 422, 'consent_required');
      const asAnimal = await api(running.url, 'POST', `/v1/characters/${pet.id}/embeddings`, {
        key: owner, body: { embedding: embedding(v2, { subject: { kind: 'animal', box: [0, 0, 1, 1] } }) },
      });
      assert.equal(asAnimal.status, 201);

      // Deleting the character removes every model's vector from match.
      assert.equal((await api(running.url, 'DELETE', `/v1/characters/${c.id}`, { key: owner })).status, 204);
      for (const v of [v1, v2]) {
        const after = await api(running.url, 'POST', '/v1/characters/match', { key: owner, body: { embedding: embedding(v), k: 50 } });
        assert.ok(!after.json.matches.some((x) => x.id === c.id));
      }
    });

    test('verify: score, threshold and verdict from the server; frames scored one by one', async () => {
      const owner = await newKey(running.url);
      const stranger = await newKey(running.url);
      const v = vectorFromSeed(1200);
      const near = Int8Array.from(v, (x, i) => (i % 5 === 0 ? -x : x));
      const far = vectorFromSeed(1201);
      const ids = {};
      for (const vis of ['private', 'unlisted', 'public']) {
        ids[vis] = (await createCharacter(running.url, owner, `Verify ${vis}`, v, vis)).json.id;
      }
      const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
      const verify = (key, id, body) => api(running.url, 'POST', `/v1/characters/${id}/verify`, { key, body });

      const r = await verify(owner, ids.private, { embedding: embedding(near), frames: [b64(v), b64(near), b64(far)] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), ['frames', 'id', 'model', 'score', 'threshold', 'verdict']);
      assert.equal(r.json.id, ids.private);
      assert.equal(r.json.model, MODEL);
      assert.equal(r.json.threshold, THRESHOLDS[MODEL]);
      assert.ok(Math.abs(r.json.score - cosine(near, v)) < 1e-5);
      assert.equal(r.json.verdict, r.json.score >= THRESHOLDS[MODEL] ? 'same' : 'different');
      assert.equal(r.json.verdict, 'same');
      assert.equal(r.json.frames.length, 3);
      assert.ok(Math.abs(r.json.frames[0] - 1) < 1e-6);
      assert.ok(Math.abs(r.json.frames[1] - cosine(near, v)) < 1e-5);
      assert.ok(Math.abs(r.json.frames[2] - cosine(far, v)) < 1e-5);
      assert.ok(!JSON.stringify(r.json).includes(b64(v)), 'never returns the stored vector');
      // The same score match gives.
      const m = await api(running.url, 'POST', '/v1/characters/match', { key: owner, body: { embedding: embedding(near), k: 50 } });
      assert.equal(m.json.matches.find((x) => x.id === ids.private).score, r.json.score);

      const other = await verify(owner, ids.private, { embedding: embedding(far) });
      assert.equal(other.json.verdict, 'different');
      assert.deepEqual(other.json.frames, []);

      // Visibility: the owner, or anyone for unlisted and public.
      assertErrorShape(assert, await verify(stranger, ids.private, { embedding: embedding(v) }), 404, 'not_found');
      assert.equal((await verify(stranger, ids.unlisted, { embedding: embedding(v) })).status, 200);
      assert.equal((await verify(stranger, ids.public, { embedding: embedding(v) })).status, 200);
      assertErrorShape(assert, await verify(owner, 'char_nosuchcharacter000', { embedding: embedding(v) }), 404);

      // A vector of a model the character does not hold: 422 with the models it holds.
      const wrong = await verify(owner, ids.public, { embedding: embedding(vectorFromSeed(1202, OTHER_DIMS)) });
      assertErrorShape(assert, wrong, 422, 'model_not_held');
      assert.deepEqual(wrong.json.error.models, [MODEL]);

      // A face_led model is verified by the same rule as match.
      const pv = vectorFromSeed(1203, PARTS_DIMS);
      const pid = (await createCharacter(running.url, owner, 'Verify parts', pv)).json.id;
      const pq = withFaceOf(vectorFromSeed(1204, PARTS_DIMS), pv);
      const pr = await verify(owner, pid, { embedding: embedding(pq), frames: [b64(withoutFace(pv))] });
      assert.equal(pr.status, 200, pr.text);
      assert.ok(Math.abs(pr.json.score - faceLed(pq, pv)) < 1e-5);
      assert.ok(Math.abs(pr.json.frames[0] - 1) < 1e-5, 'a frame without a face: appearance decides');
      assert.equal(pr.json.threshold, THRESHOLDS[PARTS_MODEL]);

      // Bad frames and bodies are 4xx with the error shape.
      for (const [body, status] of [
        [{ embedding: embedding(v), frames: Array(65).fill(b64(v)) }, 400],
        [{ embedding: embedding(v), frames: 'x' }, 400],
        [{ embedding: embedding(v), frames: [b64(v.slice(0, DIMS - 1))] }, 422],
        [{ embedding: embedding(v), frames: [b64(vectorFromSeed(1, OTHER_DIMS))] }, 422],
        [{ embedding: embedding(v), frames: ['not base64!'] }, 422],
        [{ embedding: embedding(v), frames: [7] }, 422],
        [{ frames: [] }, 400],
        [{ embedding: embedding(v, { dims: 3 }) }, 422],
      ]) {
        assertErrorShape(assert, await verify(owner, ids.private, body), status);
      }
      assert.equal((await verify(owner, ids.private, { embedding: embedding(v), frames: Array(64).fill(b64(v)) })).status, 200);
    });
  });
}
