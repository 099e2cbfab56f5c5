// The pieces of the CLI's batch create that need no registry: the CSV reader (quotes, CRLF,
// header checks, rows it cannot read), the rows of a folder, the progress output on and off a
// terminal, and the config file's mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv, readTable } from '../../cli/csv.mjs';
import { rowsFromCsv, rowsFromDirectory } from '../../cli/create_rows.mjs';
import { createProgress } from '../../cli/progress.mjs';
import { configPath, readConfig, resolveAccess, writeConfig } from '../../cli/config.mjs';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'charid-batch-parts-'));

test('CSV: quoted commas, doubled quotes, line breaks in quotes, CRLF, a BOM, blank lines', () => {
  const text = '\uFEFFfile,name,box\r\na.mp4,"Mira, the cat","0.1,0.2,0.5,0.7"\r\n\r\nb.mp4,"Say ""hi""\nthere",\n';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['file', 'name', 'box'] },
    { line: 2, fields: ['a.mp4', 'Mira, the cat', '0.1,0.2,0.5,0.7'] },
    { line: 4, fields: ['b.mp4', 'Say "hi"\nthere', ''] },
  ]);
  assert.throws(() => parseCsv('file,name\na,"open'), (e) => e.code === 'usage' && /never closed/.test(e.message));
  assert.throws(() => parseCsv('file,name\na,b"c'), (e) => e.code === 'usage' && /quote/.test(e.message));
});

test('CSV header: required and unknown columns are usage errors; a long row is a row error', () => {
  const known = ['file', 'name', 'start'];
  assert.throws(() => readTable('file\na.mp4\n', { required: ['file', 'name'], known }), /no "name" column/);
  assert.throws(() => readTable('file,name,colour\n', { required: ['file', 'name'], known }), /unknown column\(s\) colour/);
  assert.throws(() => readTable('', { required: ['file'], known }), /is empty/);
  const rows = readTable('File, Name\na.mp4, Mira \nb.mp4,B,extra\n', { required: ['file', 'name'], known });
  assert.deepEqual(rows[0], { line: 2, values: { file: 'a.mp4', name: 'Mira' } });
  assert.match(rows[1].error, /3 fields but the header names 2/);
});

test('rows from a CSV: files relative to it, settings checked per row, defaults overridden', () => {
  const dir = tmp();
  const csv = path.join(dir, 'cast.csv');
  fs.writeFileSync(csv, 'file,name,start,box,visibility,consent\n'
    + 'a.mp4,A,1.5,"0,0,1,1",public,self\n'
    + 'b.mp4,B,,,,\n'
    + 'c.mp4,C,-1,,,\n'
    + 'd.mp4,D,,"0.5,0.5,0.9,0.2",,\n'
    + 'e.mp4,,,,,\n'
    + 'f.mp4,F,,,secret,\n'
    + 'g.mp4,G,,,,maybe\n');
  const rows = rowsFromCsv(csv, { visibility: 'unlisted', consent: { basis: 'fictional' } });
  assert.deepEqual(rows[0], {
    file: 'a.mp4', input: path.join(dir, 'a.mp4'), name: 'A',
    settings: { visibility: 'public', consent: { basis: 'self' }, start: 1.5, box: [0, 0, 1, 1] },
  });
  assert.deepEqual(rows[1].settings, { visibility: 'unlisted', consent: { basis: 'fictional' } });
  for (const [i, pattern] of [[2, /start/], [3, /normalised/], [4, /no name/], [5, /visibility/], [6, /consent/]]) {
    assert.equal(rows[i].error.code, 'invalid_argument', `row ${i}`);
    assert.match(rows[i].error.message, pattern);
  }
  assert.throws(() => rowsFromCsv(path.join(dir, 'none.csv'), {}), (e) => e.code === 'usage' && /no such file/.test(e.message));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('rows from a folder: its files sorted, named without the extension, hidden files and folders left out', () => {
  const dir = tmp();
  for (const f of ['b.mp4', 'A.json', '.hidden.mp4']) fs.writeFileSync(path.join(dir, f), '');
  fs.mkdirSync(path.join(dir, 'sub'));
  assert.deepEqual(rowsFromDirectory(dir, {}).map((r) => [r.file, r.name, r.input]),
    [['A.json', 'A', path.join(dir, 'A.json')], ['b.mp4', 'b', path.join(dir, 'b.mp4')]]);
  fs.rmSync(dir, { recursive: true, force: true });
});

function fakeStream(isTTY) {
  const out = { isTTY, columns: 80, text: '', write(s) { out.text += s; } };
  return out;
}

test('progress: a bar redrawn in place on a terminal, one plain line per row otherwise', () => {
  const tty = fakeStream(true);
  const bar = createProgress(4, tty);
  bar.start('a.mp4');
  bar.finish('a.mp4', 'created char_x');
  bar.start('b.mp4');
  bar.end();
  assert.match(tty.text, /\r\x1b\[K\[######-{18}\] 1\/4 {2}ETA \d+:\d\d {2}b\.mp4/);
  assert.ok(!tty.text.includes('\n'), 'nothing scrolls on a terminal');
  const log = fakeStream(false);
  const lines = createProgress(2, log);
  lines.start('a.mp4');
  lines.finish('a.mp4', 'created char_x');
  lines.finish('b.mp4', 'failed: too small (resolution_too_low)');
  assert.equal(log.text, '[1/2] a.mp4: created char_x\n[2/2] b.mp4: failed: too small (resolution_too_low)\n');
});

test('config: written with mode 0600 in a 0700 folder, read back, used only for its registry', () => {
  const home = tmp();
  const env = { XDG_CONFIG_HOME: home };
  const file = configPath(env);
  assert.equal(file, path.join(home, 'charid', 'config.json'));
  assert.equal(configPath({ XDG_CONFIG_HOME: 'relative' }), path.join(os.homedir(), '.config', 'charid', 'config.json'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'old', { mode: 0o644 });
  writeConfig({ registry: 'http://a.example', key: 'ck_a' }, file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readConfig(file), { registry: 'http://a.example', key: 'ck_a' });
  assert.deepEqual(resolveAccess({}, env), { registry: 'http://a.example', key: 'ck_a', config: file });
  assert.deepEqual(resolveAccess({ registry: 'http://b.example/' }, env), { registry: 'http://b.example/', key: null, config: file });
  assert.equal(resolveAccess({}, { ...env, CHARID_KEY: 'ck_env' }).key, 'ck_env');
  assert.equal(resolveAccess({ key: 'ck_flag' }, { ...env, CHARID_KEY: 'ck_env' }).key, 'ck_flag');
  assert.equal(resolveAccess({}, { XDG_CONFIG_HOME: path.join(home, 'none') }).registry, 'http://127.0.0.1:8787');
  fs.writeFileSync(file, '[1,2]');
  assert.throws(() => readConfig(file), (e) => e.code === 'invalid_config');
  fs.rmSync(home, { recursive: true, force: true });
});
