// Reference packs (charid.pack/1) from real fixture clips: a real person (a signer, 640x480) and a
// cartoon (Big Buck Bunny, 1280x720) through the real wasm core and models; the roles, sizes and
// generator table are checked against the rules file's constraints (never against pixel values),
// the cutout's alpha against the subject's place, and failed runs against what they leave behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MODEL } from '../../lib/identity/pipeline.mjs';
import { packVideo } from '../../lib/pack/node.mjs';
import { checkPackFiles, readPngBytes, shortSide } from './check_pack.mjs';
import { writePackDir } from '../../lib/pack/write.mjs';
import { charid, clip } from '../cli/helpers.mjs';
import { LEFT_WIDTH, makeTwoCharacterClip } from '../cast/two_characters.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-pack-test-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const readPng = (dir, name) => readPngBytes(fs.readFileSync(path.join(dir, name)));

// A pack folder: pack.json on disk equal to the one returned, and the folder holding exactly the
// files it lists (checked by tests/pack/check_pack.mjs, as the page's ZIP is).
function checkPack(dir, pack) {
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'pack.json'), 'utf8')), pack);
  const files = new Map(fs.readdirSync(dir).filter((n) => n !== 'pack.json').map((n) => [n, fs.readFileSync(path.join(dir, n))]));
  checkPackFiles(pack, files);
}

test('a real person: views with cutouts and aligned faces, every generator satisfied', async () => {
  const out = path.join(tmp, 'signer');
  const { manifest: pack } = await packVideo(clip('signer_yellow_a.mp4'), { out, allowLowRes: true, count: 6, id: 'char_0123456789abcdefXY', name: 'Signer' });
  checkPack(out, pack);
  assert.equal(pack.id, 'char_0123456789abcdefXY');
  assert.equal(pack.name, 'Signer');
  assert.equal(pack.model, DEFAULT_MODEL);
  assert.equal(pack.subject.kind, 'person');
  const pictures = pack.files.filter((f) => f.role === 'front' || f.role === 'view');
  assert.ok(pictures.length >= 2, 'a person who moves gives more than one view');
  // the frame is 480 px high, so every crop reaches 300 px
  for (const p of pictures) assert.ok(shortSide(p) >= 300, `${p.name} ${p.width}x${p.height}`);
  assert.ok(pack.files.some((f) => f.role === 'face'), 'the signer faces the camera');
  for (const [name, g] of Object.entries(pack.generators)) assert.ok(g.ok, `${name}: ${JSON.stringify(g.failures)}`);
  assert.equal(pack.generators.kling_elements.files[0], 'front.png');

  // the cutout: transparent at the crop's corner (the wall behind her), opaque at her middle
  const front = pack.files.find((f) => f.role === 'cutout' && f.view === 0);
  const png = readPng(out, front.name);
  const alpha = (x, y) => png.data[(y * png.width + x) * 4 + 3];
  assert.ok(alpha(1, 1) < 16, `corner alpha ${alpha(1, 1)}`);
  const [sx, sy, sw, sh] = front.subject_box;
  const cx = Math.round(sx + sw / 2), cy = Math.round(sy + sh / 2);
  assert.ok(alpha(cx, cy) > 240, `centre alpha ${alpha(cx, cy)}`);
  // and the crop itself is opaque
  const crop = readPng(out, 'front.png');
  assert.equal(crop.data[3], 255);
});

test('a cartoon through the CLI: pack.json on stdout, crops of 300 px and more', async () => {
  const out = path.join(tmp, 'bunny');
  const r = await charid(['pack', clip('bunny_a.mp4'), '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const pack = r.json;
  checkPack(out, pack);
  assert.equal('id' in pack, false);
  assert.ok(['animal', 'object', 'unknown'].includes(pack.subject.kind), pack.subject.kind);
  for (const p of pack.files.filter((f) => f.role === 'front' || f.role === 'view')) {
    assert.ok(shortSide(p) >= 300, `${p.name} ${p.width}x${p.height}`);
  }
  assert.equal(pack.generators.vidu_reference.ok, true);
});

test('a source under 300 px: said in a warning, and the generators that need 300 px fail by name', async () => {
  const small = path.join(tmp, 'signer_240.mp4');
  const ff = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', clip('signer_yellow_a.mp4'), '-vf', 'scale=320:240', '-t', '1.5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', small]);
  assert.equal(ff.status, 0, String(ff.stderr));
  const out = path.join(tmp, 'small');
  const { manifest: pack } = await packVideo(small, { out, allowLowRes: true, count: 3 });
  checkPack(out, pack);
  assert.ok(pack.warnings.includes('crop_below_300px'), pack.warnings.join());
  const kling = pack.generators.kling_elements;
  assert.equal(kling.ok, false);
  assert.ok(kling.failures.some((f) => f.rule === 'min_short_side' && /short side under 300 px/.test(f.message)), JSON.stringify(kling.failures));
  assert.equal(pack.generators.minimax_subject.ok, false);
  // Vidu takes 128 px and up
  assert.ok(!pack.generators.vidu_reference.failures.some((f) => f.rule === 'min_short_side'));
});

test('--box picks one of two characters: the bunny on the right, not the signer beside him', async () => {
  const two = makeTwoCharacterClip(tmp);
  const out = path.join(tmp, 'boxed');
  const r = await charid(['pack', two, '--out', out, '--box', '0.45,0,0.55,1', '--allow-low-res', '--json']);
  assert.equal(r.code, 0, r.stderr);
  checkPack(out, r.json);
  assert.equal(r.json.subject.kind, 'animal');
  for (const f of r.json.files.filter((x) => x.frame_box)) {
    const [x, , w] = f.frame_box;
    assert.ok(x + w / 2 > LEFT_WIDTH, `${f.name} is centred in the right half: ${f.frame_box}`);
  }
});

test('failed runs leave nothing behind', async (t) => {
  await t.test('an unreadable input', async () => {
    const bad = path.join(tmp, 'not_a_video.mp4');
    fs.writeFileSync(bad, Buffer.from('this is not a video file, only some text bytes '.repeat(200)));
    const parent = fs.mkdtempSync(path.join(tmp, 'bad-'));
    const r = await charid(['pack', bad, '--out', path.join(parent, 'pack'), '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json.error.code, 'unreadable_input');
    assert.deepEqual(fs.readdirSync(parent), []);
  });
  await t.test('an --out whose parent cannot be written (a file)', async () => {
    const file = path.join(tmp, 'plain_file');
    fs.writeFileSync(file, 'x');
    const r = await charid(['pack', clip('signer_yellow_a.mp4'), '--out', path.join(file, 'pack'), '--allow-low-res', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json.error.code, 'output_not_writable');
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
  });
  await t.test('an --out that already holds files is refused, untouched', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'full-'));
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const r = await charid(['pack', clip('signer_yellow_a.mp4'), '--out', dir, '--allow-low-res', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json.error.code, 'output_exists');
    assert.deepEqual(fs.readdirSync(dir), ['keep.txt']);
  });
  await t.test('a write that fails half-way', async () => {
    const parent = fs.mkdtempSync(path.join(tmp, 'half-'));
    const files = [{ name: 'front.png', bytes: new Uint8Array(10) }, { name: 'no/such/folder.png', bytes: new Uint8Array(10) }];
    await assert.rejects(writePackDir(path.join(parent, 'pack'), { schema: 'charid.pack/1' }, files), { code: 'output_not_writable' });
    assert.deepEqual(fs.readdirSync(parent), [], 'neither the pack nor its temporary folder is left');
  });
});

test('usage mistakes are told in plain words', async () => {
  const noOut = await charid(['pack', clip('bunny_a.mp4')]);
  assert.equal(noOut.code, 1);
  assert.match(noOut.stderr, /--out DIR is needed/);
  const badId = await charid(['pack', clip('bunny_a.mp4'), '--out', path.join(tmp, 'x'), '--id', 'mira']);
  assert.equal(badId.code, 1);
  assert.match(badId.stderr, /--id must be a character ID/);
});
