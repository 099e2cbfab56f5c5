// What `charid create` registers: one clip or payload, or a batch of rows from a CSV file
// (`--from cast.csv`) or from a folder (`DIR --name-from filename`). Each row is checked here,
// so a bad one is reported with the others going on.
import fs from 'node:fs';
import path from 'node:path';
import { CharidError } from '../lib/errors.mjs';
import { usageError } from './args.mjs';
import { readTable } from './csv.mjs';
import { parseBox } from './commands/embed.mjs';

export const VISIBILITIES = ['private', 'unlisted', 'public'];
export const CONSENT_BASES = ['self', 'permission', 'fictional', 'not_a_person'];
const CSV_COLUMNS = ['file', 'name', 'start', 'box', 'visibility', 'consent'];

// The creation settings of one row (strings, as in a CSV or on the command line) ->
// { start, box, visibility, consent }; a wrong value is a usage error naming it.
export function rowSettings({ start, box, visibility, consent }) {
  const out = {};
  if (start !== undefined && start !== '') {
    const n = typeof start === 'number' ? start : Number(start);
    if (!Number.isFinite(n) || n < 0 || String(start).trim() === '') throw usageError(`start must be a number of seconds >= 0, not "${start}".`);
    out.start = n;
  }
  if (box !== undefined && box !== '') out.box = parseBox(box);
  if (visibility !== undefined && visibility !== '') {
    if (!VISIBILITIES.includes(visibility)) throw usageError(`visibility must be one of ${VISIBILITIES.join(', ')}, not "${visibility}".`);
    out.visibility = visibility;
  }
  if (consent !== undefined && consent !== '') {
    if (!CONSENT_BASES.includes(consent)) throw usageError(`consent must be one of ${CONSENT_BASES.join(', ')}, not "${consent}".`);
    out.consent = { basis: consent };
  }
  return out;
}

// One row -> { file, input, name, settings } or { file, error } for a row that cannot be sent.
// defaults: the command line's --start/--box/--visibility/--consent, which a row's own
// columns override.
function row(file, input, name, values, defaults) {
  if (!file) return { file: '', error: invalidRow('The row has no file.') };
  if (!name) return { file, error: invalidRow('The row has no name.') };
  try {
    return { file, input, name, settings: { ...defaults, ...rowSettings(values) } };
  } catch (err) {
    return { file, error: invalidRow(err.message) };
  }
}

// A row the batch cannot send: reported as invalid_argument, and the batch goes on.
const invalidRow = (message) => new CharidError('invalid_argument', message);

const isUrl = (s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

// --from cast.csv: header file,name[,start][,box][,visibility][,consent]; files relative to the
// CSV file's folder.
export function rowsFromCsv(csvPath, defaults) {
  let text;
  try {
    text = fs.readFileSync(csvPath, 'utf8');
  } catch (err) {
    throw usageError(`Cannot read ${csvPath}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`);
  }
  const dir = path.dirname(csvPath);
  return readTable(text, { required: ['file', 'name'], known: CSV_COLUMNS, what: csvPath }).map((r) => {
    if (r.error) return { file: `${path.basename(csvPath)}:${r.line}`, error: invalidRow(`${csvPath} ${r.error}.`) };
    const { file, name, ...values } = r.values;
    const input = file && !isUrl(file) && !path.isAbsolute(file) ? path.join(dir, file) : file;
    return row(file, input, name, values, defaults);
  });
}

// DIR --name-from filename: every file of the folder (not hidden ones, not sub-folders), sorted,
// named after the file without its extension.
export function rowsFromDirectory(dir, defaults) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => row(name, path.join(dir, name), path.parse(name).name, {}, defaults));
}
