// docs/openapi.yaml stays true: every documented operation exists on the
// server, and the server's routes are all documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { api, newKey, repoRoot, startRegistry } from './helpers.mjs';

// The spec's "paths" block, read by indentation (no YAML dependency): a
// path at two spaces, its methods at four.
function documentedOperations() {
  const text = readFileSync(join(repoRoot, 'docs/openapi.yaml'), 'utf8');
  const block = text.slice(text.indexOf('\npaths:\n'), text.indexOf('\ncomponents:\n'));
  const ops = [];
  let path;
  for (const line of block.split('\n')) {
    const p = line.match(/^ {2}(\/\S*):$/);
    if (p) path = p[1];
    const m = line.match(/^ {4}(get|post|delete|put|patch):$/);
    if (m) ops.push(`${m[1].toUpperCase()} ${path}`);
  }
  return ops.sort();
}

const SERVED = [
  'DELETE /v1/characters/{id}',
  'GET /healthz',
  'GET /v1/characters',
  'GET /v1/characters/{id}',
  'POST /v1/characters',
  'POST /v1/characters/match',
  'POST /v1/keys',
].sort();

test('the documented operations are exactly the served ones', () => {
  assert.deepEqual(documentedOperations(), SERVED);
});

test('every documented operation is routed (no "no such route" 404)', async () => {
  const s = await startRegistry();
  try {
    const key = await newKey(s.url);
    for (const op of documentedOperations()) {
      const [method, path] = op.split(' ');
      const r = await api(s.url, method, path.replace('{id}', 'char_0000000000000000'), {
        key, body: method === 'POST' ? {} : undefined,
      });
      assert.ok(!(r.status === 404 && /route/.test(r.json?.error?.message ?? '')), `${op} is not routed`);
      assert.ok(r.status < 500, `${op}: ${r.status}`);
    }
  } finally {
    await s.stop();
    s.cleanup();
  }
});
