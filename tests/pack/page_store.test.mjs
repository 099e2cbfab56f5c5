// The page's pack storage format (web/src/page/pack_store.ts) under Node, on a real pack made
// from a fixture clip: the ZIP holds pack.json and exactly the pack's files, byte for byte; a
// card's copy (base64 in JSON) comes back equal; a damaged card pack is refused with
// invalid_card, naming what is wrong, never half-restored. (IndexedDB itself is covered by
// tests/browser/pack.test.mjs in Chromium.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { packVideo } from '../../lib/pack/node.mjs';
import { clip } from '../cli/helpers.mjs';
import { loadTs } from '../web/ts.mjs';
import { checkPackFiles } from './check_pack.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-pack-store-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let S, pack;
before(async () => {
  S = await loadTs('web/src/page/pack_store.ts');
  const out = path.join(tmp, 'pack');
  const { manifest } = await packVideo(clip('signer_yellow_a.mp4'), { out, allowLowRes: true, count: 3, id: 'char_0123456789abcdefXY', name: 'Signer' });
  pack = { manifest, files: manifest.files.map((f) => ({ name: f.name, bytes: new Uint8Array(fs.readFileSync(path.join(out, f.name))) })) };
});

const sameBytes = (a, b) => Buffer.from(a).equals(Buffer.from(b));

test('the ZIP holds pack.json and every file of the pack, unchanged', () => {
  const entries = unzipSync(S.zipPack(pack));
  assert.deepEqual(Object.keys(entries).sort(), [...pack.files.map((f) => f.name), 'pack.json'].sort());
  assert.deepEqual(JSON.parse(strFromU8(entries['pack.json'])), pack.manifest);
  for (const f of pack.files) assert.ok(sameBytes(entries[f.name], f.bytes), f.name);
  checkPackFiles(pack.manifest, new Map(pack.files.map((f) => [f.name, entries[f.name]])));
});

test('a card carries the pack as JSON and gives it back byte for byte', () => {
  const card = JSON.parse(JSON.stringify({ schema: 'charid.card/1', pack: S.packForCard(pack) }));
  const back = S.packFromCard(card.pack);
  assert.deepEqual(back.manifest, pack.manifest);
  assert.deepEqual(back.files.map((f) => f.name), pack.files.map((f) => f.name));
  for (const [i, f] of back.files.entries()) assert.ok(sameBytes(f.bytes, pack.files[i].bytes), f.name);
});

test('a damaged card pack is refused with invalid_card, saying what is wrong', () => {
  const good = () => JSON.parse(JSON.stringify(S.packForCard(pack)));
  const refused = (v, pattern) => assert.throws(() => S.packFromCard(v), (e) => e.code === 'invalid_card' && pattern.test(e.message), String(pattern));
  refused(null, /no pack\.json or no files/);
  refused({ manifest: pack.manifest }, /no pack\.json or no files/);
  const missing = good();
  missing.files = missing.files.slice(1);
  refused(missing, new RegExp(`${pack.files[0].name} is missing`));
  const short = good();
  short.files[0].base64 = short.files[0].base64.slice(0, 40);
  refused(short, new RegExp(`${pack.files[0].name} has 30 bytes, pack.json says ${pack.manifest.files[0].bytes}`));
  const notBase64 = good();
  notBase64.files[0].base64 = '%%% not base64 %%%';
  refused(notBase64, /is not base64/);
  const badManifest = good();
  delete badManifest.manifest.generators;
  refused(badManifest, /pack\.json/);
  const wrongSchema = good();
  wrongSchema.manifest.schema = 'charid.pack/9';
  refused(wrongSchema, /pack\.json \/schema/);
});
