// API v1 against the real server: every route, its exact shapes, ownership,
// visibility, idempotency, paging, deletion and matching. Shared by both
// storage backends: api.test.mjs (SQLite) and postgres.test.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  api, assertErrorShape, createCharacter, DIMS, embedding, MODEL, newKey, OTHER_DIMS,
  vectorFromSeed,
} from './helpers.mjs';

// `start` resolves to a server from startRegistry() (url, stop, cleanup).
export function defineApiSuite(label, start) {
  let server;
  let base;
  before(async () => {
    server = await start();
    base = server.url;
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  describe(`${label}: health and keys`, () => {
    test('GET /healthz is 200 when the database is reachable', async () => {
      const r = await api(base, 'GET', '/healthz');
      assert.equal(r.status, 200);
    });

    test('POST /v1/keys returns a ck_ key and unlimited credits', async () => {
      const r = await api(base, 'POST', '/v1/keys', { body: {} });
      assert.equal(r.status, 201);
      assert.match(r.json.key, /^ck_[0-9A-Za-z]{32}$/);
      assert.equal(r.json.credits, null);
      assert.deepEqual(Object.keys(r.json).sort(), ['credits', 'key']);
      const r2 = await api(base, 'POST', '/v1/keys', { raw: '' });
      assert.equal(r2.status, 201);
      assert.notEqual(r2.json.key, r.json.key);
    });

    test('missing, malformed or unknown keys are 401 on every other route', async () => {
      const key = await newKey(base);
      const { json } = await createCharacter(base, key, 'Probe', vectorFromSeed(1));
      const routes = [
        ['GET', '/v1/characters'],
        ['GET', `/v1/characters/${json.id}`],
        ['DELETE', `/v1/characters/${json.id}`],
        ['POST', '/v1/characters'],
        ['POST', '/v1/characters/match'],
      ];
      for (const [method, path] of routes) {
        for (const headers of [{}, { authorization: 'Bearer ck_unknownunknownunknownunknown1234' },
          { authorization: 'Basic abc' }, { authorization: key }]) {
          const r = await api(base, method, path, { headers, body: method === 'POST' ? {} : undefined });
          assertErrorShape(assert, r, 401, 'unauthorized');
        }
      }
      // The character is still there: the unauthorised DELETE did nothing.
      assert.equal((await api(base, 'GET', `/v1/characters/${json.id}`, { key })).status, 200);
    });
  });

  describe(`${label}: characters`, () => {
    test('create returns 201 with exactly id, name, created_at, model, models, visibility, consent', async () => {
      const key = await newKey(base);
      const r = await createCharacter(base, key, 'Ada', vectorFromSeed(2));
      assert.equal(r.status, 201);
      assert.deepEqual(Object.keys(r.json).sort(), ['consent', 'created_at', 'id', 'model', 'models', 'name', 'visibility']);
      assert.deepEqual(r.json.models, [MODEL]);
      assert.match(r.json.id, /^char_[0-9A-Za-z]{16,}$/);
      assert.equal(r.json.name, 'Ada');
      assert.equal(r.json.model, MODEL);
      assert.equal(r.json.visibility, 'private');
      assert.ok(!Number.isNaN(Date.parse(r.json.created_at)));
      assert.match(r.headers.get('content-type'), /^application\/json/);
    });

    test('the same owner, name and vector again gives the same id, never a duplicate', async () => {
      const key = await newKey(base);
      const v = vectorFromSeed(3);
      const first = await createCharacter(base, key, 'Twin', v);
      const again = await createCharacter(base, key, 'Twin', v);
      assert.equal(first.status, 201);
      assert.ok([200, 201].includes(again.status));
      assert.equal(again.json.id, first.json.id);
      // Concurrent repeats as well.
      const many = await Promise.all(Array.from({ length: 8 }, () => createCharacter(base, key, 'Twin', v)));
      for (const r of many) assert.equal(r.json.id, first.json.id);
      const list = await api(base, 'GET', '/v1/characters?limit=100', { key });
      assert.equal(list.json.data.filter((c) => c.name === 'Twin').length, 1);
      // A different name, vector or owner is a different character.
      const otherName = await createCharacter(base, key, 'Twin 2', v);
      const otherVector = await createCharacter(base, key, 'Twin', vectorFromSeed(4));
      const otherOwner = await createCharacter(base, await newKey(base), 'Twin', v);
      const ids = new Set([first.json.id, otherName.json.id, otherVector.json.id, otherOwner.json.id]);
      assert.equal(ids.size, 4);
    });

    test('GET by id: owner sees private; others get 404 for private, 200 for unlisted and public', async () => {
      const owner = await newKey(base);
      const stranger = await newKey(base);
      const ids = {};
      for (const [i, vis] of ['private', 'unlisted', 'public'].entries()) {
        const r = await createCharacter(base, owner, `Vis ${vis}`, vectorFromSeed(10 + i), vis);
        assert.equal(r.status, 201);
        assert.equal(r.json.visibility, vis);
        ids[vis] = r.json.id;
      }
      for (const vis of ['private', 'unlisted', 'public']) {
        const mine = await api(base, 'GET', `/v1/characters/${ids[vis]}`, { key: owner });
        assert.equal(mine.status, 200);
        assert.deepEqual(Object.keys(mine.json).sort(), ['consent', 'created_at', 'id', 'model', 'models', 'name', 'visibility']);
      }
      const hidden = await api(base, 'GET', `/v1/characters/${ids.private}`, { key: stranger });
      const missing = await api(base, 'GET', '/v1/characters/char_doesnotexist000000', { key: stranger });
      assertErrorShape(assert, hidden, 404, 'not_found');
      // Same answer as for an id that never existed: existence does not leak.
      assert.deepEqual(hidden.json, missing.json);
      assert.equal((await api(base, 'GET', `/v1/characters/${ids.unlisted}`, { key: stranger })).status, 200);
      assert.equal((await api(base, 'GET', `/v1/characters/${ids.public}`, { key: stranger })).status, 200);
    });

    test('list: own characters only, newest first, limit and after page through all', async () => {
      const key = await newKey(base);
      const other = await newKey(base);
      await createCharacter(base, other, 'Not mine', vectorFromSeed(20), 'public');
      const created = [];
      for (let i = 0; i < 7; i++) {
        created.push((await createCharacter(base, key, `Page ${i}`, vectorFromSeed(30 + i))).json.id);
      }
      const seen = [];
      let after;
      for (let page = 0; page < 10; page++) {
        const q = `/v1/characters?limit=3${after ? `&after=${after}` : ''}`;
        const r = await api(base, 'GET', q, { key });
        assert.equal(r.status, 200);
        assert.deepEqual(Object.keys(r.json).sort(), ['data', 'has_more']);
        assert.ok(r.json.data.length <= 3);
        seen.push(...r.json.data.map((c) => c.id));
        if (!r.json.has_more) break;
        after = r.json.data.at(-1).id;
      }
      assert.deepEqual(seen, created.reverse());
      const all = await api(base, 'GET', '/v1/characters', { key });
      assert.equal(all.json.data.length, 7);
      assert.equal(all.json.has_more, false);
    });

    test('list rejects bad limit and foreign after with 400', async () => {
      const key = await newKey(base);
      const other = await newKey(base);
      const theirs = (await createCharacter(base, other, 'Theirs', vectorFromSeed(40), 'public')).json.id;
      for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=-1', `after=${theirs}`, 'after=char_nope']) {
        assertErrorShape(assert, await api(base, 'GET', `/v1/characters?${q}`, { key }), 400);
      }
    });

    test('DELETE: 204 for the owner, 404 for anyone else, and the character is gone everywhere', async () => {
      const owner = await newKey(base);
      const stranger = await newKey(base);
      const v = vectorFromSeed(50);
      const { json } = await createCharacter(base, owner, 'Doomed', v, 'public');
      assertErrorShape(assert, await api(base, 'DELETE', `/v1/characters/${json.id}`, { key: stranger }), 404, 'not_found');
      const before = await api(base, 'POST', '/v1/characters/match', { key: stranger, body: { embedding: embedding(v), k: 1 } });
      assert.equal(before.json.matches[0].id, json.id);

      const del = await api(base, 'DELETE', `/v1/characters/${json.id}`, { key: owner });
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assertErrorShape(assert, await api(base, 'GET', `/v1/characters/${json.id}`, { key: owner }), 404);
      assertErrorShape(assert, await api(base, 'DELETE', `/v1/characters/${json.id}`, { key: owner }), 404);
      const list = await api(base, 'GET', '/v1/characters', { key: owner });
      assert.equal(list.json.data.length, 0);
      for (const key of [owner, stranger]) {
        const m = await api(base, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 50 } });
        assert.ok(!m.json.matches.some((x) => x.id === json.id));
      }
      // Re-creating after deletion makes a new character.
      const again = await createCharacter(base, owner, 'Doomed', v);
      assert.equal(again.status, 201);
      assert.notEqual(again.json.id, json.id);
    });
  });

  describe(`${label}: match`, () => {
    test('cosine against own and public characters of the same model, best first', async () => {
      const me = await newKey(base);
      const other = await newKey(base);
      const target = vectorFromSeed(100);
      const near = Int8Array.from(target, (x, i) => (i % 9 === 0 ? -x : x)); // similar, not equal
      const mine = (await createCharacter(base, me, 'Mine exact', target)).json.id;
      const minePrivateNear = (await createCharacter(base, me, 'Mine near', near)).json.id;
      const theirsPublic = (await createCharacter(base, other, 'Public near', near, 'public')).json.id;
      const theirsPrivate = (await createCharacter(base, other, 'Their private', target)).json.id;
      const theirsUnlisted = (await createCharacter(base, other, 'Their unlisted', target, 'unlisted')).json.id;
      // Same model, unrelated vectors, and a different model.
      const unrelated = (await createCharacter(base, me, 'Unrelated', vectorFromSeed(101))).json.id;
      const otherModel = (await createCharacter(base, me, 'Other model', vectorFromSeed(102, OTHER_DIMS))).json.id;

      const r = await api(base, 'POST', '/v1/characters/match', { key: me, body: { embedding: embedding(target), k: 50 } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('server-timing'), /^match;dur=\d+(\.\d+)?$/);
      assert.deepEqual(Object.keys(r.json), ['matches']);
      const ids = r.json.matches.map((m) => m.id);
      assert.equal(ids[0], mine);
      assert.ok(Math.abs(r.json.matches[0].score - 1) < 1e-6);
      assert.equal(r.json.matches[0].name, 'Mine exact');
      assert.ok(ids.includes(minePrivateNear) && ids.includes(theirsPublic));
      assert.ok(!ids.includes(theirsPrivate) && !ids.includes(theirsUnlisted));
      assert.ok(ids.includes(unrelated) && !ids.includes(otherModel));
      for (let i = 1; i < r.json.matches.length; i++) {
        assert.ok(r.json.matches[i - 1].score >= r.json.matches[i].score);
      }
      for (const m of r.json.matches) {
        assert.deepEqual(Object.keys(m).sort(), ['id', 'name', 'score']);
        assert.ok(m.score >= -1 && m.score <= 1);
      }
      const k1 = await api(base, 'POST', '/v1/characters/match', { key: me, body: { embedding: embedding(target), k: 1 } });
      assert.deepEqual(k1.json.matches.map((m) => m.id), [mine]);
      // The other party sees their own private one and the public one, not mine.
      const theirs = await api(base, 'POST', '/v1/characters/match', { key: other, body: { embedding: embedding(target), k: 50 } });
      const theirIds = theirs.json.matches.map((m) => m.id);
      assert.ok(theirIds.includes(theirsPrivate) && theirIds.includes(theirsPublic));
      assert.ok(!theirIds.includes(mine) && !theirIds.includes(minePrivateNear));
    });

    test('k outside 1..50 or not an integer is 400', async () => {
      const key = await newKey(base);
      for (const k of [0, 51, -1, 2.5, '3', null]) {
        const r = await api(base, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(vectorFromSeed(1)), k } });
        assertErrorShape(assert, r, 400);
      }
    });
  });

  describe(`${label}: bad input is 4xx with the error shape, never 5xx`, () => {
    test('malformed JSON and fields are 400', async () => {
      const key = await newKey(base);
      const good = embedding(vectorFromSeed(200));
      const cases = [
        { raw: '{"name": "x", ' },
        { raw: 'null' },
        { raw: '[]' },
        { raw: '"text"' },
        { raw: '[' .repeat(20000) },
        { body: { embedding: good } },
        { body: { name: 42, embedding: good } },
        { body: { name: '', embedding: good } },
        { body: { name: '   ', embedding: good } },
        { body: { name: 'x'.repeat(81), embedding: good } },
        { body: { name: 'bad\u0007bell', embedding: good } },
        { body: { name: 'new\nline', embedding: good } },
        { body: { name: 'del\u007f', embedding: good } },
        { body: { name: 'ok' } },
        { body: { name: 'ok', embedding: 'a string' } },
        { body: { name: 'ok', embedding: good, visibility: 'secret' } },
        { body: { name: 'ok', embedding: good, visibility: 1 } },
      ];
      for (const c of cases) {
        const r = await api(base, 'POST', '/v1/characters', { key, ...c, headers: { 'content-type': 'application/json' } });
        assertErrorShape(assert, r, 400);
      }
      // 80 characters (not bytes) is allowed.
      const r = await createCharacter(base, key, 'é'.repeat(80), vectorFromSeed(201));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.name, 'é'.repeat(80));
    });

    test('a vector that is wrong for its model is 422', async () => {
      const key = await newKey(base);
      const v = vectorFromSeed(300);
      const b64 = (arr) => Buffer.from(Int8Array.from(arr).buffer).toString('base64');
      const cases = [
        [{ model: 'charid-unknown@9' }, 'unknown_model'],
        [{ schema: 'charid.embedding/2' }],
        [{ schema: undefined }],
        [{ dims: DIMS + 1 }],
        [{ dims: String(DIMS) }],
        [{ dtype: 'float32' }],
        [{ dtype: 'uint8' }],
        [{ vector: b64(v.slice(0, DIMS - 1)) }],
        [{ vector: b64([...v, 1]) }],
        [{ vector: 'not base64!!' }],
        [{ vector: b64(v).slice(0, -1) }],
        [{ vector: 12 }],
        [{ vector: b64(new Array(DIMS).fill(0)) }],
        [{ scale: 0 }],
        [{ scale: -1 }],
        [{ scale: 'NaN' }],
        [{ scale: 1e300 }],
        [{ scale: undefined }],
      ];
      for (const [overrides, code] of cases) {
        const e = embedding(v, overrides);
        for (const k of Object.keys(overrides)) if (overrides[k] === undefined) delete e[k];
        const create = await api(base, 'POST', '/v1/characters', { key, body: { name: 'v', embedding: e } });
        assertErrorShape(assert, create, 422, code);
        const match = await api(base, 'POST', '/v1/characters/match', { key, body: { embedding: e, k: 3 } });
        assertErrorShape(assert, match, 422, code);
      }
      // Non-finite numbers cannot be written in JSON; a literal that overflows
      // to infinity is refused by the parser (400), never stored.
      const raw = JSON.stringify({ name: 'v', embedding: embedding(v) }).replace('"scale":0.007874015748031496', '"scale":1e999');
      assert.ok(raw.includes('1e999'));
      assertErrorShape(assert, await api(base, 'POST', '/v1/characters', { key, raw, headers: { 'content-type': 'application/json' } }), 400);
    });

    test('an id that is not UTF-8 or holds NUL is 404 (found by the soak: PostgreSQL refused it, a 503)', async () => {
      const key = await newKey(base);
      const body = { embedding: embedding(vectorFromSeed(9)) };
      for (const id of ['%ff%00', '%ff', 'char_%00abc', 'x'.repeat(300)]) {
        assertErrorShape(assert, await api(base, 'GET', `/v1/characters/${id}`, { key }), 404, 'not_found');
        assertErrorShape(assert, await api(base, 'DELETE', `/v1/characters/${id}`, { key }), 404, 'not_found');
        assertErrorShape(assert, await api(base, 'POST', `/v1/characters/${id}/verify`, { key, body }), 404, 'not_found');
        assertErrorShape(assert, await api(base, 'POST', `/v1/characters/${id}/embeddings`, { key, body }), 404, 'not_found');
        assertErrorShape(assert, await api(base, 'GET', `/v1/characters?after=${id}`, { key }), 400, 'invalid_request');
      }
    });

    test('unknown routes are 404 JSON', async () => {
      const key = await newKey(base);
      assertErrorShape(assert, await api(base, 'GET', '/v1/nothing', { key }), 404);
      assertErrorShape(assert, await api(base, 'PUT', '/v1/characters', { key, body: {} }), 404);
    });
  });
}
