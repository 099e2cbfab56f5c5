// charid.embedding/1: the schema (docs/schemas/charid.embedding-1.schema.json, the one home of the
// payload contract) and the two rules a schema cannot state: the vector holds exactly `dims`
// values, and not all of them are zero (such a vector has no direction to compare).
import embeddingSchema from '../../docs/schemas/charid.embedding-1.schema.json' with { type: 'json' };
import { CharidError } from '../errors.mjs';
import { describeSchemaErrors, schemaErrors } from './check.mjs';

export { embeddingSchema };
export const EMBEDDING_SCHEMA = 'charid.embedding/1';

function base64Bytes(text) {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

function allZero(text) {
  // "A" encodes six zero bits; "=" is padding. Any other character sets a bit.
  return /^[A=]*$/.test(text);
}

/** Every problem of `payload` as [{path, message}]; [] for a valid charid.embedding/1 payload. */
export function embeddingPayloadErrors(payload) {
  const errors = schemaErrors(embeddingSchema, payload);
  if (errors.length) return errors;
  const count = base64Bytes(payload.vector);
  if (count !== payload.dims) errors.push({ path: '/vector', message: `holds ${count} values, not dims = ${payload.dims}` });
  else if (allZero(payload.vector)) errors.push({ path: '/vector', message: 'is all zeros and has no direction' });
  return errors;
}

/** Returns the payload, or throws CharidError invalid_argument naming what is wrong. */
export function assertEmbeddingPayload(payload) {
  const errors = embeddingPayloadErrors(payload);
  if (errors.length) {
    throw new CharidError('invalid_argument', describeSchemaErrors(EMBEDDING_SCHEMA + ' payload', errors), {
      details: { problems: errors },
    });
  }
  return payload;
}
