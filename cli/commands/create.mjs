// charid create <video|payload.json> --name NAME [--visibility V] [--start S] [--box x,y,w,h]
//               [--allow-low-res] [--consent BASIS]
// charid create --from cast.csv | create DIR --name-from filename [--jobs N]   (a batch)
// Registers a character with the registry and prints it; a batch prints one line per row
// (JSON Lines with --json) and a summary, and exits 2 when any row failed.
import fs from 'node:fs';
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { exitStatusOf, printJson } from '../output.mjs';
import { runBatch } from '../batch.mjs';
import { rowSettings, rowsFromCsv, rowsFromDirectory, CONSENT_BASES, VISIBILITIES } from '../create_rows.mjs';
import { payloadOf } from '../inputs.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';

const USAGE = 'usage: charid create <video|payload.json> --name NAME [options]\n' +
  '       charid create --from cast.csv [options]\n' +
  '       charid create DIR --name-from filename [options]\n' +
  `  --visibility ${VISIBILITIES.join('|')} (default private)\n` +
  '  --start S: the 4 s window starts at S seconds; --box x,y,w,h: the subject, normalised 0..1\n' +
  '  --allow-low-res: accept a clip below 720p as a reference\n' +
  `  --consent ${CONSENT_BASES.join('|')}: required when the subject is a face or a person\n` +
  '  --from cast.csv: columns file,name[,start][,box][,visibility][,consent], header required\n' +
  '  --name-from filename: name each file of DIR after its file name\n' +
  '  --jobs N: embed N clips at a time (default 1)\n' + REGISTRY_USAGE;

const SPEC = {
  ...REGISTRY_FLAGS, name: 'string', visibility: 'string', start: 'number', box: 'string',
  'allow-low-res': 'boolean', consent: 'string', from: 'string', 'name-from': 'string', jobs: 'number',
};

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// The batch rows the flags ask for, or null for a single create.
function batchRows(flags, positional, defaults) {
  if (flags.from !== undefined) {
    if (positional.length) throw usageError('--from takes the files from the CSV; give no other input.');
    if (flags.name !== undefined || flags['name-from'] !== undefined) throw usageError('--from takes the names from the CSV; drop --name / --name-from.');
    return rowsFromCsv(flags.from, defaults);
  }
  if (positional.length !== 1) throw usageError('Give one video or payload file (or --from cast.csv, or a folder with --name-from filename).');
  if (isDirectory(positional[0])) {
    if (flags['name-from'] !== 'filename') throw usageError(`${positional[0]} is a folder: add --name-from filename to name each file after its file name.`);
    if (flags.name !== undefined) throw usageError('--name is for one character; a folder takes --name-from filename.');
    return rowsFromDirectory(positional[0], defaults);
  }
  if (flags['name-from'] !== undefined) throw usageError('--name-from is for a folder of clips.');
  return null;
}

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: [0, 1],
  missing: 'Give one video or payload file, --from cast.csv, or a folder with --name-from filename.',
  async body(flags, positional) {
    const defaults = rowSettings(flags);
    const jobs = flags.jobs ?? 1;
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw usageError('--jobs must be a whole number from 1 to 16.');
    const rows = batchRows(flags, positional, defaults);
    const { client } = registryClient(flags);
    if (rows) {
      if (!rows.length) throw usageError('The batch has no rows.');
      const summary = await runBatch(rows, { client, jobs, json: flags.json, allowLowRes: flags['allow-low-res'] });
      if (summary.fatal) return exitStatusOf(summary.fatal);
      return summary.failed ? 2 : 0;
    }
    if (!flags.name) throw usageError('--name NAME is required: the name of the character.');
    const { payload } = await payloadOf(positional[0], {
      start: defaults.start, box: defaults.box, allowLowRes: flags['allow-low-res'],
    });
    const { character, created } = await client.createCharacter({
      name: flags.name, embedding: payload, visibility: defaults.visibility, consent: defaults.consent,
    });
    if (flags.json) printJson({ ...character, created });
    else process.stdout.write(`${created ? 'created' : 'already registered'}  ${character.id}  ${character.name}  (${character.visibility}, ${character.model})\n`);
  },
});
