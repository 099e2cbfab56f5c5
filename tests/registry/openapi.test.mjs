// docs/openapi.yaml stays true: every documented operation exists on the
// server, the server's routes are all documented, the answers of the real
// server match the documented schemas, and a standard linter (Redocly) finds
// nothing to warn about.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import Ajv from 'ajv';

import {
  api, createCharacter, embedding, newKey, OTHER_DIMS, repoRoot, startRegistry, vectorFromSeed,
} from './helpers.mjs';

const SPEC = join(repoRoot, 'docs/openapi.yaml');
const redocly = (args) => spawnSync(join(repoRoot, 'node_modules/.bin/redocly'), args, {
  cwd: repoRoot, encoding: 'utf8', timeout: 60000, env: { ...process.env, REDOCLY_TELEMETRY: 'off' },
});

// The spec's "paths" block, read by indentation (no YAML dependency): a
// path at two spaces, its methods at four.
function documentedOperations() {
  const text = readFileSync(SPEC, 'utf8');
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
  'POST /v1/characters/{id}/embeddings',
  'POST /v1/characters/{id}/verify',
  'POST /v1/keys',
].sort();

test('the documented operations are exactly the served ones', () => {
  assert.deepEqual(documentedOperations(), SERVED);
});

test('redocly lint finds no error and no warning', () => {
  // The recommended rules (operationId, a 4xx per operation, a complete
  // licence, ...), counted from the JSON report.
  const r = redocly(['lint', SPEC, '--format', 'json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.problems.map((p) => `${p.ruleId}: ${p.message}`), []);
  assert.equal(report.totals.errors, 0);
  assert.equal(report.totals.warnings, 0);
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

test('the real answers of every route match the documented schemas', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'charid-openapi-'));
  const bundled = join(dir, 'spec.json');
  const b = redocly(['bundle', SPEC, '--dereferenced', '--ext', 'json', '-o', bundled]);
  assert.equal(b.status, 0, b.stderr);
  const spec = JSON.parse(readFileSync(bundled, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  // OpenAPI 3.0 schemas: `nullable` is understood by Ajv; formats and
  // examples are descriptive here.
  const ajv = new Ajv({ strict: false, validateFormats: false });
  const check = (method, path, r) => {
    const op = spec.paths[path][method];
    const doc = op.responses[String(r.status)];
    assert.ok(doc, `${method.toUpperCase()} ${path} answered ${r.status}, which is not documented: ${r.text}`);
    const schema = doc.content?.['application/json']?.schema;
    if (!schema) return assert.equal(r.text, '');
    const validate = ajv.compile(schema);
    assert.ok(validate(r.json), `${method.toUpperCase()} ${path} ${r.status}: ${ajv.errorsText(validate.errors)}\n${r.text}`);
  };

  const s = await startRegistry();
  try {
    const base = s.url;
    check('get', '/healthz', await api(base, 'GET', '/healthz'));
    const keyRes = await api(base, 'POST', '/v1/keys', { body: {} });
    check('post', '/v1/keys', keyRes);
    const key = keyRes.json.key;
    const v = vectorFromSeed(5000);
    const created = await createCharacter(base, key, 'Spec', v, 'unlisted');
    check('post', '/v1/characters', created);
    check('post', '/v1/characters', await createCharacter(base, key, 'Spec', v, 'unlisted'));
    check('post', '/v1/characters', await createCharacter(base, key, 'No consent', vectorFromSeed(5001), undefined, { consent: null }));
    const id = created.json.id;
    check('get', '/v1/characters', await api(base, 'GET', '/v1/characters', { key }));
    check('get', '/v1/characters/{id}', await api(base, 'GET', `/v1/characters/${id}`, { key }));
    const addPath = `/v1/characters/${id}/embeddings`;
    const other = { embedding: embedding(vectorFromSeed(5002, OTHER_DIMS)) };
    check('post', '/v1/characters/{id}/embeddings', await api(base, 'POST', addPath, { key, body: other }));
    check('post', '/v1/characters/{id}/embeddings', await api(base, 'POST', addPath, { key, body: other }));
    check('post', '/v1/characters/{id}/embeddings', await api(base, 'POST', addPath, { key, body: {} }));
    const verifyPath = `/v1/characters/${id}/verify`;
    const frames = [Buffer.from(v.buffer).toString('base64')];
    check('post', '/v1/characters/{id}/verify', await api(base, 'POST', verifyPath, { key, body: { embedding: embedding(v), frames } }));
    const wrongModel = await api(base, 'POST', `/v1/characters/${(await createCharacter(base, key, 'One', vectorFromSeed(5003))).json.id}/verify`, { key, body: other });
    check('post', '/v1/characters/{id}/verify', wrongModel);
    check('post', '/v1/characters/{id}/verify', await api(base, 'POST', verifyPath, { key: await newKey(base), body: { embedding: embedding(v) } }));
    check('post', '/v1/characters/match', await api(base, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 5 } }));
    check('delete', '/v1/characters/{id}', await api(base, 'DELETE', `/v1/characters/${id}`, { key }));
    check('delete', '/v1/characters/{id}', await api(base, 'DELETE', `/v1/characters/${id}`, { key }));
  } finally {
    await s.stop();
    s.cleanup();
  }
});
