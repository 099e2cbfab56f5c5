// What the product writes and reads holds to the one payload contract
// (docs/schemas/charid.embedding-1.schema.json): a real `charid embed` of a fixture clip is valid
// for Ajv and carries every descriptive field, and a payload file that breaks the schema is refused
// by the CLI with invalid_argument naming the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { embeddingSchema } from '../../lib/schemas/embedding.mjs';
import { charid, clip } from '../cli/helpers.mjs';

const ajvValid = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(embeddingSchema);
let dir;
let payload;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-payload-'));
  const r = await charid(['embed', clip('signer_grey_a.mp4'), '--allow-low-res', '--json']);
  assert.equal(r.code, 0, r.stderr);
  payload = r.json;
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('charid embed writes a valid charid.embedding/1 payload with every descriptive field', () => {
  assert.equal(ajvValid(payload), true, JSON.stringify(ajvValid.errors));
  for (const field of ['window', 'frames', 'subject', 'source', 'quality', 'warnings', 'timings_ms']) {
    assert.ok(Object.hasOwn(payload, field), `payload lacks ${field}`);
  }
  assert.equal(Buffer.from(payload.vector, 'base64').length, payload.dims);
  // the stages in order, then what ran the networks (runner.backend; one wasm thread in Node)
  assert.deepEqual(Object.keys(payload.timings_ms), ['decode', 'detect', 'embed', 'total', 'backend']);
  assert.equal(payload.timings_ms.backend, 'wasm');
  // source and quality are the values the pipeline passed, written by the core as JSON objects
  assert.equal(typeof payload.source.codec, 'string');
  assert.equal(payload.quality.frames_kept > 0, true);
});

test('a saved payload that breaks the schema is invalid_argument naming the field', async () => {
  const file = path.join(dir, 'broken.json');
  fs.writeFileSync(file, JSON.stringify({ ...payload, subject: { kind: 'alien', box: [0, 0, 1, 1] } }));
  const r = await charid(['compare', file, file, '--json']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.json?.error?.code, 'invalid_argument');
  assert.match(r.json.error.message, /subject\.kind must be one of/);
  const good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify(payload));
  const same = await charid(['compare', good, good, '--json']);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.json.verdict, 'same');
});
