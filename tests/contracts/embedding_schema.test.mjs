// The payload contract has one home, docs/schemas/charid.embedding-1.schema.json. These tests hold
// the run-time checker (lib/schemas, used where Ajv cannot run under the page's CSP) to Ajv's
// verdicts on generated payloads, and hold what the product writes to the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { embeddingSchema, embeddingPayloadErrors, assertEmbeddingPayload } from '../../lib/schemas/embedding.mjs';
import { schemaErrors } from '../../lib/schemas/check.mjs';
import { CharidError } from '../../lib/errors.mjs';

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
const ajvValid = ajv.compile(embeddingSchema);
const runs = Number(process.env.CHARID_FUZZ_RUNS || 2000);

const valid = () => ({
  schema: 'charid.embedding/1',
  model: 'charid-id@1',
  dims: 6,
  dtype: 'int8',
  scale: 0.0123,
  vector: Buffer.from(Int8Array.from([1, -2, 3, -4, 5, 127]).buffer).toString('base64'),
  window: { start: 0, end: 4 },
  frames: 16,
  subject: { kind: 'person', box: [0.1, 0.2, 0.3, 0.4] },
  source: { container: 'mp4', codec: 'h264', width: 1280, height: 720 },
  quality: { sharpness: 12.5 },
  warnings: ['multiple_subjects'],
  timings_ms: { decode: 10.5, backend: 'wasm' },
});

test('a payload as the product writes it is valid, for Ajv and for lib/schemas', () => {
  assert.equal(ajvValid(valid()), true, JSON.stringify(ajvValid.errors));
  assert.deepEqual(embeddingPayloadErrors(valid()), []);
  assert.deepEqual(assertEmbeddingPayload(valid()), valid());
});

// Any JSON value at any field (or the field removed) must get the same verdict from both checkers.
const jsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e39, 65537, '', 'int8', 'charid.embedding/1', 'AQID', 'charid-id@2',
    'person', 'Face', [], [0, 0, 1, 1], [0, 0, 1, 2], ['a'], ['Bad Warning'], {}, { start: 0 }, { start: 0, end: 1 },
    { kind: 'face', box: [0, 0, 1, 1] }, { kind: 'alien', box: [0, 0, 1, 1] }, { decode: 'x' }, { decode: {} }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer(),
);
const field = fc.constantFrom(...Object.keys(valid()), 'extra');
const mutation = fc.array(fc.tuple(field, fc.option(jsonValue, { nil: undefined })), { minLength: 1, maxLength: 3 });

test('lib/schemas agrees with Ajv on generated payloads (fast-check)', () => {
  fc.assert(
    fc.property(mutation, (changes) => {
      const p = valid();
      for (const [name, value] of changes) {
        if (value === undefined) delete p[name];
        else p[name] = value;
      }
      const ours = schemaErrors(embeddingSchema, p).length === 0;
      assert.equal(ours, ajvValid(p), `payload ${JSON.stringify(p)}: ours ${ours}, Ajv ${!ours}`);
    }),
    { numRuns: runs },
  );
});

test('lib/schemas agrees with Ajv on any JSON value at all', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), (v) => {
      assert.equal(schemaErrors(embeddingSchema, v).length === 0, ajvValid(v));
    }),
    { numRuns: runs },
  );
});

test('what the schema cannot say: vector length equals dims, and not all zeros', () => {
  const short = { ...valid(), dims: 7 };
  assert.match(embeddingPayloadErrors(short)[0].message, /holds 6 values, not dims = 7/);
  const zero = { ...valid(), vector: Buffer.alloc(6).toString('base64') };
  assert.match(embeddingPayloadErrors(zero)[0].message, /all zeros/);
  for (let n = 1; n <= 9; n++) {
    const bytes = Buffer.alloc(n, 0);
    bytes[n - 1] = 1;
    assert.deepEqual(embeddingPayloadErrors({ ...valid(), dims: n, vector: bytes.toString('base64') }), [], `n=${n}`);
  }
});

test('a broken payload is a CharidError invalid_argument in plain words', () => {
  const bad = { ...valid(), dtype: 'float32', scale: -1 };
  assert.throws(() => assertEmbeddingPayload(bad), (err) => {
    assert.ok(err instanceof CharidError);
    assert.equal(err.code, 'invalid_argument');
    assert.match(err.message, /dtype must be "int8"/);
    assert.match(err.message, /scale must be greater than 0/);
    return true;
  });
});

test('the schema checker refuses keywords it does not implement', () => {
  assert.throws(() => schemaErrors({ type: 'object', oneOf: [] }, {}), /"oneOf".*not supported/);
});
