// The cast check on a two-character clip made here from two fixture clips side by side (ffmpeg
// hstack): a real signer on the left, Big Buck Bunny on the right. Both characters and a third
// (another real signer) are registered from their own single clips on the real charid-registry
// on loopback; the check must find each in its own half with verdict "same" and never report the
// third, through the match route and, via the CLI, with --expect (verify).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embedClip } from '../../cli/inputs.mjs';
import { castVideo } from '../../lib/cast/node.mjs';
import { DEFAULT_MODEL } from '../../lib/identity/pipeline.mjs';
import { RegistryClient } from '../../lib/registry/client.mjs';
import { newKey, repoRoot, startRegistry } from '../registry/helpers.mjs';
import { charid, clip } from '../cli/helpers.mjs';
import { makeTwoCharacterClip, SPLIT } from './two_characters.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-cast-test-'));
let twoCharacters;
const FRAMES = 8;

let server, key, client;
const ids = {};

before(async () => {
  twoCharacters = makeTwoCharacterClip(tmp);
  // the vectors first: the registry calls then follow each other without a long pause
  const payloads = {};
  for (const [who, file] of [['signer', 'signer_yellow_a.mp4'], ['bunny', 'bunny_a.mp4'], ['third', 'signer_grey_a.mp4']]) {
    payloads[who] = (await embedClip(clip(file), { allowLowRes: true, count: FRAMES })).payload;
  }
  server = await startRegistry({ manifest: path.join(repoRoot, 'models', 'manifest.json') });
  key = await newKey(server.url);
  client = new RegistryClient(server.url, { keyStore: { get: () => key, set() {}, clear() {} } });
  const register = async (name, embedding, basis) => {
    const { character } = await client.createCharacter({ name, embedding, visibility: 'private', consent: { basis } });
    return character.id;
  };
  ids.signer = await register('Yellow signer', payloads.signer, 'permission');
  ids.bunny = await register('Big Buck Bunny', payloads.bunny, 'fictional');
  ids.third = await register('Grey signer', payloads.third, 'permission');
});
after(async () => {
  await server?.stop();
  server?.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const centreX = (box) => box[0] + box[2] / 2;
// The half a track lives in, from all its boxes; null when it crosses the split.
function half(track) {
  const xs = track.frames.map((f) => centreX(f.box));
  if (xs.every((x) => x < SPLIT)) return 'left';
  if (xs.every((x) => x >= SPLIT)) return 'right';
  return null;
}

function checkShape(out) {
  for (const t of out.tracks) {
    assert.ok(Number.isInteger(t.track) && t.track >= 1);
    assert.ok(['face', 'person', 'animal', 'object'].includes(t.kind), t.kind);
    assert.ok(t.frames.length >= 2);
    for (const f of t.frames) {
      assert.equal(f.box.length, 4);
      assert.ok(f.box.every((v) => v >= 0 && v <= 1), JSON.stringify(f.box));
      assert.ok(f.box[0] + f.box[2] <= 1.0001 && f.box[1] + f.box[3] <= 1.0001);
    }
    if (t.best) {
      assert.equal(t.best.verdict, 'same');
      assert.deepEqual(t.candidates[0], t.best);
    } else {
      assert.deepEqual(t.candidates, []);
    }
  }
}

function checkCast(out) {
  checkShape(out);
  const found = (id) => out.tracks.filter((t) => t.best?.id === id);
  const signer = found(ids.signer), bunny = found(ids.bunny);
  // one track each: the bunny's body boxes inside his own box, and the frames where only his
  // face is seen, do not split him
  const seen = JSON.stringify(out.tracks.map((t) => [t.kind, t.frames.length, t.best]));
  assert.equal(signer.length, 1, `the signer is found once: ${seen}`);
  assert.equal(bunny.length, 1, `the bunny is found once: ${seen}`);
  for (const t of signer) assert.equal(half(t), 'left', `signer track ${t.track}`);
  for (const t of bunny) assert.equal(half(t), 'right', `bunny track ${t.track}`);
  assert.equal(signer[0].best.name, 'Yellow signer');
  assert.equal(bunny[0].best.name, 'Big Buck Bunny');
  assert.ok(!JSON.stringify(out.tracks).includes(ids.third), 'the third character is reported nowhere');
}

test('match route: both characters in their own half, verdict same; the third not reported', async () => {
  const out = await castVideo(twoCharacters, { client, count: FRAMES });
  checkCast(out);
  assert.deepEqual(out.expected, []);
  assert.ok(out.warnings.includes('low_resolution'));
  assert.equal(out.model, DEFAULT_MODEL);
});

test('CLI with --expect: verify per expected ID, found with time ranges; the third not found', async () => {
  const r = await charid(['cast', twoCharacters, '--expect', `${ids.signer},${ids.bunny},${ids.third}`, '--allow-low-res', '--json'],
    { env: { CHARID_REGISTRY: server.url, CHARID_KEY: key, XDG_CONFIG_HOME: tmp } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /below 720p/, '--allow-low-res keeps the warning off stderr');
  checkCast(r.json);
  const byId = Object.fromEntries(r.json.expected.map((e) => [e.id, e]));
  for (const id of [ids.signer, ids.bunny]) {
    const e = byId[id];
    assert.equal(e.found, true, id);
    assert.ok(e.from <= e.to && e.to <= 3.6, JSON.stringify(e));
    assert.ok(e.score >= r.json.threshold, JSON.stringify(e));
    assert.ok(r.json.tracks.some((t) => t.track === e.track && t.best.id === id));
  }
  assert.equal(byId[ids.third].found, false);
  assert.ok(byId[ids.third].score === null || byId[ids.third].score < r.json.threshold);
});

test('bad --expect values are usage mistakes, said in plain words', async () => {
  const r = await charid(['cast', twoCharacters, '--expect', 'mira', '--json'], { env: { CHARID_REGISTRY: server.url, CHARID_KEY: key } });
  assert.equal(r.code, 1);
  assert.equal(r.json.error.code, 'usage');
  assert.match(r.json.error.message, /character IDs like char_/);
});

test('an expected ID the registry does not know is refused before the work, and no key is said at once', async () => {
  const unknown = await charid(['cast', twoCharacters, '--expect', 'char_0000000000000000AAAA', '--json'], { env: { CHARID_REGISTRY: server.url, CHARID_KEY: key } });
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.equal(unknown.json.error.code, 'not_found');
  const noKey = await charid(['cast', twoCharacters, '--json'], { env: { CHARID_REGISTRY: server.url, CHARID_KEY: '', XDG_CONFIG_HOME: tmp } });
  assert.equal(noKey.code, 1, noKey.stderr);
  assert.equal(noKey.json.error.code, 'not_logged_in');
});

