// charid.pack/1: the schema (docs/schemas/charid.pack-1.schema.json, the one home of the pack
// contract) and the rules a schema cannot state: file names are unique and every file a generator
// is told to send is one of the pack's files.
import packSchema from '../../docs/schemas/charid.pack-1.schema.json' with { type: 'json' };
import { CharidError } from '../errors.mjs';
import { describeSchemaErrors, schemaErrors } from '../schemas/check.mjs';

export { packSchema };
export const PACK_SCHEMA = 'charid.pack/1';

/** Every problem of `pack` as [{path, message}]; [] for a valid pack.json. */
export function packErrors(pack) {
  const errors = schemaErrors(packSchema, pack);
  if (errors.length) return errors;
  const names = pack.files.map((f) => f.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) errors.push({ path: `/files/${i}/name`, message: `repeats ${n}` });
  });
  for (const [g, entry] of Object.entries(pack.generators)) {
    entry.files.forEach((n, i) => {
      if (!names.includes(n)) errors.push({ path: `/generators/${g}/files/${i}`, message: `names ${n}, which is not in the pack` });
    });
  }
  return errors;
}

/** Returns the pack, or throws CharidError internal_error naming what is wrong (a pack is ours). */
export function assertPack(pack) {
  const errors = packErrors(pack);
  if (errors.length) {
    throw new CharidError('internal_error', describeSchemaErrors(`${PACK_SCHEMA} pack.json`, errors), { details: { problems: errors } });
  }
  return pack;
}
