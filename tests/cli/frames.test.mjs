// charid frames: PNG files on disk, upright and square-pixel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { charid, media, clip } from './helpers.mjs';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'charid-frames-'));
const readPng = (file) => PNG.sync.read(fs.readFileSync(file));

test('frames writes K PNGs with timestamps inside the window', async () => {
  const out = tmp();
  const r = await charid(['frames', clip('bunny_a.mp4'), '--out', out, '--count', '8']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.frames.length, 8);
  r.json.frames.forEach((f, i) => {
    assert.equal(path.basename(f.file), `frame_${String(i).padStart(2, '0')}.png`);
    assert.ok(f.timestamp >= r.json.window.start && f.timestamp <= r.json.window.end);
    const png = readPng(f.file);
    assert.equal(png.width, f.width);
    assert.equal(png.height, f.height);
    assert.equal(fs.statSync(f.file).size, f.bytes);
    assert.equal(Math.min(png.width, png.height), 512);
  });
  for (let i = 1; i < 8; i++) assert.ok(r.json.frames[i].timestamp > r.json.frames[i - 1].timestamp);
});

test('frames of a rotated video are upright (portrait)', async () => {
  const out = tmp();
  const r = await charid(['frames', media('Vanilagy__mediabunny/rotate-buck-bunny.mp4'), '--out', out, '--count', '2']);
  assert.equal(r.code, 0, r.stderr);
  const png = readPng(r.json.frames[0].file);
  assert.ok(png.height > png.width, `${png.width}x${png.height} should be portrait`);
});

test('frames of a 2:1 pixel video are square-pixel (twice as wide)', async () => {
  const out = tmp();
  const r = await charid(['frames', media('Vanilagy__mediabunny/sar_2x1.mp4'), '--out', out, '--count', '2', '--allow-low-res']);
  assert.equal(r.code, 0, r.stderr);
  const png = readPng(r.json.frames[0].file);
  assert.equal(png.width, 1280);
  assert.equal(png.height, 360);
});

test('frames default to 16 and honour --start', async () => {
  const out = tmp();
  const r = await charid(['frames', media('Zulko__moviepy/big_buck_bunny_0_30.webm'), '--out', out, '--start', '20']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.frames.length, 16);
  assert.ok(r.json.frames[0].timestamp >= 20);
  assert.equal(fs.readdirSync(out).filter((f) => f.endsWith('.png')).length, 16);
});

test('frames on a rejected input writes nothing and exits 2', async () => {
  const out = tmp();
  const r = await charid(['frames', media('Eyevinn__mp4ff/opus.mp4'), '--out', out]);
  assert.equal(r.code, 2);
  assert.equal(r.json.error.code, 'no_video_stream');
  assert.deepEqual(fs.readdirSync(out), []);
});

test('frames needs --out', async () => {
  const r = await charid(['frames', clip('bunny_a.mp4')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--out/);
});
