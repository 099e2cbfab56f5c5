// What every reference pack must hold, whatever the clip and whoever made it (the CLI's folder,
// tests/pack/pack.test.mjs; the page's ZIP, tests/browser/pack.test.mjs): pack.json valid, the
// files exactly those it lists with the sizes it says, one front first, a cutout per view unless
// warned, faces in range, and the generator table following lib/pack/generator_rules.json.
import assert from 'node:assert/strict';
import pngjs from 'pngjs';
import { GENERATOR_RULES } from '../../lib/pack/generators.mjs';
import { packErrors } from '../../lib/pack/schema.mjs';

const { PNG } = pngjs;
export const shortSide = (f) => Math.min(f.width, f.height);
export const readPngBytes = (bytes) => PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

// pack: pack.json as an object; files: Map name -> bytes of every file beside pack.json.
export function checkPackFiles(pack, files) {
  assert.deepEqual(packErrors(pack), [], 'pack.json validates against docs/schemas/charid.pack-1.schema.json');
  assert.deepEqual([...files.keys()].sort(), pack.files.map((f) => f.name).sort());
  for (const f of pack.files) {
    const png = readPngBytes(files.get(f.name));
    assert.equal(png.width, f.width, `${f.name} width`);
    assert.equal(png.height, f.height, `${f.name} height`);
    assert.equal(files.get(f.name).length, f.bytes, `${f.name} bytes`);
    assert.equal(f.format, 'png');
  }
  const pictures = pack.files.filter((f) => f.role === 'front' || f.role === 'view');
  assert.equal(pack.files[0].role, 'front');
  assert.equal(pictures.filter((f) => f.role === 'front').length, 1);
  assert.ok(pictures.length >= 1 && pictures.length <= 4, `${pictures.length} views`);
  assert.deepEqual(pictures.map((f) => f.view), pictures.map((_, i) => i), 'views numbered in order, front first');
  assert.equal(new Set(pictures.map((f) => f.t)).size, pictures.length, 'each view from its own frame');
  if (!pack.warnings.includes('cutout_without_foreground')) {
    for (const p of pictures) {
      const cut = pack.files.find((f) => f.role === 'cutout' && f.view === p.view);
      assert.ok(cut, `cutout of view ${p.view}`);
      assert.deepEqual([cut.width, cut.height, cut.t], [p.width, p.height, p.t]);
    }
  }
  for (const face of pack.files.filter((f) => f.role === 'face')) {
    assert.equal(face.width, face.height);
    assert.ok(face.width >= 112 && face.width <= 512, `face ${face.width} px`);
  }
  // the table: every generator listed, its files in the pack, ok exactly when no failure, and
  // each failure-free generator's files really inside its documented limits
  assert.deepEqual(Object.keys(pack.generators).sort(), Object.keys(GENERATOR_RULES).sort());
  for (const [name, g] of Object.entries(pack.generators)) {
    assert.equal(g.ok, g.failures.length === 0, name);
    const sent = g.files.map((n) => pack.files.find((f) => f.name === n));
    for (const want of GENERATOR_RULES[name].send) {
      const count = sent.filter((f) => f.role === want.role).length;
      assert.ok(count <= want.max, `${name} sends at most ${want.max} ${want.role}`);
      if (g.ok) assert.ok(count >= want.min, `${name} sends at least ${want.min} ${want.role}`);
    }
    if (!g.ok) continue;
    for (const c of GENERATOR_RULES[name].constraints) {
      for (const f of sent) {
        if (c.rule === 'format') assert.ok(c.allowed.includes(f.format));
        if (c.rule === 'max_bytes') assert.ok(f.bytes <= c.value);
        if (c.rule === 'below_bytes') assert.ok(f.bytes < c.value);
        if (c.rule === 'min_short_side') assert.ok(shortSide(f) >= c.value, `${name}: ${f.name} ${f.width}x${f.height}`);
        if (c.rule === 'short_side_over') assert.ok(shortSide(f) > c.value, `${name}: ${f.name} ${f.width}x${f.height}`);
        if (c.rule === 'aspect_between') assert.ok(f.width / f.height >= c.min && f.width / f.height <= c.max);
      }
    }
  }
}
