// The registry takes its payload rules from docs/schemas/charid.embedding-1.schema.json (built
// into the binary, checked by src/registry/json_schema_subset.cpp): the running server's verdict
// on generated payloads must be Ajv's verdict on the same payload, and a refusal is a 422
// invalid_embedding naming the field. CHARID_FUZZ_RUNS=N multiplies the runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';

import { api, embedding, newKey, repoRoot, serverForSuite, startRegistry, vectorFromSeed } from './helpers.mjs';

const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/schemas/charid.embedding-1.schema.json'), 'utf8'));
const ajvValid = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);
// The top-level fields Ajv finds wrong (the registry names the first it meets; the order may differ).
const wrongFields = (errors) => new Set(errors.map((e) => e.instancePath.split('/')[1] ?? e.params.missingProperty));
const RUNS = Math.round(400 * Number(process.env.CHARID_FUZZ_RUNS ?? 1));

// Values near the edges of what the schema allows at each descriptive field.
const jsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2.0, 1024, 1025, 1e39, -0.0001, '', 'face', 'person', 'ghost', 'ok_code',
    'Not A Code', 'x'.repeat(65), [], [0, 0, 1, 1], [0, 0, 1, 1.01], [0.1, 0.2, 0.3], [0, 0, 0, 0, 0], ['multiple_subjects'],
    ['Bad'], {}, { start: 0, end: 4 }, { start: -1, end: 4 }, { start: '0', end: 4 }, { start: 0 }, { kind: 'face', box: [0, 0, 1, 1] },
    { kind: 'animal', box: [0.5, 0.5, 0.1, 0.1] }, { kind: 'face' }, { decode: 10.5, backend: 'wasm' }, { decode: true }, { a: null }),
  fc.double({ min: -2, max: 2000, noNaN: true }),
  fc.array(fc.constantFrom('a', 'b_c', 'B', '1x', 0), { maxLength: 70 }),
  fc.dictionary(fc.constantFrom('start', 'end', 'kind', 'box', 'decode', 'x'), fc.constantFrom(0, 1, 0.5, -1, 'face', 'x', true, null, [0, 0, 1, 1])),
);
const FIELDS = ['window', 'frames', 'subject', 'source', 'quality', 'warnings', 'timings_ms', 'extra_field'];

describe('payload fields checked against the schema file by the registry', () => {
  const holder = serverForSuite(() => startRegistry({ args: ['--matches-per-second', '0'] }));
  let key;
  before(async () => { key = await newKey(holder.url); });

  test('the server agrees with Ajv on every generated payload, and names the field it refuses', async () => {
    const verdicts = { accepted: 0, refused: 0 };
    const arb = fc.record({
      seed: fc.integer({ min: 1, max: 1 << 20 }),
      changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(jsonValue, { nil: undefined })), { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(fc.asyncProperty(arb, async ({ seed, changes }) => {
      const payload = embedding(vectorFromSeed(seed));
      for (const [field, value] of changes) {
        if (value === undefined) delete payload[field];
        else payload[field] = value;
      }
      // A bare string subject is read by the consent rule before the schema (embedding_payload.cpp).
      fc.pre(typeof payload.subject !== 'string');
      const r = await api(holder.url, 'POST', '/v1/characters/match', { key, body: { embedding: payload, k: 1 } });
      if (ajvValid(payload)) {
        verdicts.accepted++;
        assert.equal(r.status, 200, `Ajv accepts ${JSON.stringify(payload)} but the registry said ${r.text}`);
      } else {
        verdicts.refused++;
        assert.equal(r.status, 422, `Ajv refuses (${JSON.stringify(ajvValid.errors)}) but the registry said ${r.status} ${r.text}`);
        assert.equal(r.json.error.code, 'invalid_embedding');
        const named = r.json.error.message.match(/^embedding\.([a-z_]+)/)?.[1];
        assert.ok(wrongFields(ajvValid.errors).has(named), `${JSON.stringify(ajvValid.errors)}: ${r.text}`);
      }
    }), { numRuns: RUNS });
    // Both verdicts were exercised.
    assert.ok(verdicts.accepted > RUNS / 20 && verdicts.refused > RUNS / 20, JSON.stringify(verdicts));
  });

  test('a window in the old shape ({start_s, end_s}) is refused, naming window.start', async () => {
    const payload = { ...embedding(vectorFromSeed(3)), window: { start_s: 0, end_s: 3 } };
    const r = await api(holder.url, 'POST', '/v1/characters/match', { key, body: { embedding: payload } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.message, 'embedding.window.start is missing');
  });
});
