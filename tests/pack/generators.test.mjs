// The generator table over file figures at and across each documented limit of
// lib/pack/generator_rules.json: counts, sizes, bytes, aspect ratios, formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatorTable, GENERATOR_RULES } from '../../lib/pack/generators.mjs';

const MB = 1024 * 1024;
const file = (name, role, view, width, height, { bytes = 200000, format = 'png' } = {}) => ({ name, role, view, t: view, width, height, bytes, format });
const views = (n, size = [400, 600], opts) => Array.from({ length: n }, (_, i) => file(i ? `view${i}.png` : 'front.png', i ? 'view' : 'front', i, ...size, opts));
const rules = (g, table) => table[g].failures.map((f) => f.rule);

test('every rule names its source, and every rule kind is one the table knows', () => {
  for (const [name, g] of Object.entries(GENERATOR_RULES)) {
    for (const r of [...g.send, ...g.constraints]) assert.ok(typeof r.source === 'string' && r.source.length > 5, `${name} ${JSON.stringify(r)}`);
    assert.ok(g.source.length > 10);
  }
  assert.doesNotThrow(() => generatorTable(views(4)));
});

test('four good views: every generator ok, each sends at most what it takes, front first', () => {
  const t = generatorTable(views(4));
  for (const [name, g] of Object.entries(t)) assert.ok(g.ok, `${name}: ${JSON.stringify(g.failures)}`);
  assert.deepEqual(t.kling_elements.files, ['front.png', 'view1.png', 'view2.png', 'view3.png']);
  assert.deepEqual(t.veo_reference.files, ['front.png', 'view1.png', 'view2.png']);
  assert.deepEqual(t.minimax_subject.files, ['front.png']);
});

test('a single view: Kling needs one to three more, the others take one image', () => {
  const t = generatorTable(views(1));
  assert.deepEqual(rules('kling_elements', t), ['count']);
  assert.match(t.kling_elements.failures[0].message, /needs 1 to 3 view image\(s\), the pack has 0/);
  for (const g of ['veo_reference', 'vidu_reference', 'minimax_subject', 'runway_references']) assert.ok(t[g].ok, g);
});

test('sizes at the limits: 300 px is enough for Kling but not over 300 for MiniMax; 128 for Vidu', () => {
  const at300 = generatorTable(views(2, [300, 450]));
  assert.ok(at300.kling_elements.ok);
  assert.deepEqual(rules('minimax_subject', at300), ['short_side_over']);
  const small = generatorTable(views(2, [128, 200]));
  assert.deepEqual(rules('kling_elements', small), ['min_short_side', 'min_short_side']);
  assert.ok(small.vidu_reference.ok);
  assert.deepEqual(rules('vidu_reference', generatorTable(views(2, [127, 200]))), ['min_short_side', 'min_short_side']);
});

test('aspect ratios past 1:2.5 and bytes past 10 MB / 20 MB fail by name; a JPEG passes, a GIF does not', () => {
  const tall = generatorTable(views(2, [320, 801]));
  assert.deepEqual(rules('kling_elements', tall), ['aspect_between', 'aspect_between']);
  assert.match(tall.kling_elements.failures[0].message, /front\.png has aspect ratio 0\.3995 \(320x801\), outside 0\.4\.\.2\.5/);
  assert.ok(generatorTable(views(2, [320, 800])).kling_elements.ok, '1:2.5 itself is allowed');
  const big = generatorTable(views(2, [400, 600], { bytes: 10 * MB + 1 }));
  assert.deepEqual(rules('kling_elements', big), ['max_bytes', 'max_bytes']);
  assert.ok(big.minimax_subject.ok);
  assert.deepEqual(rules('minimax_subject', generatorTable(views(1, [400, 600], { bytes: 20 * MB }))), ['below_bytes']);
  assert.ok(generatorTable(views(2, [400, 600], { format: 'jpeg' })).kling_elements.ok);
  assert.deepEqual(rules('runway_references', generatorTable(views(1, [400, 600], { format: 'gif' }))), ['format']);
});
