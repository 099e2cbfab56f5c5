// Flags and environment of the binary: bad values are refused with a clear
// message, and HOST / PORT / DATA_DIR from the environment are honoured.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { api, registryBinary, tempDir, writeManifest } from './helpers.mjs';

test('--help lists the flags of the issue', () => {
  const r = spawnSync(registryBinary(), ['--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const flag of ['--cors-origin', '--credits-per-key', '--web-root', '--models-dir', '--manifest',
    '--database-url', 'add-credits']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('unknown flags and bad values exit with status 2 and say why', () => {
  for (const [args, message] of [
    [['--bogus'], /unknown flag --bogus/],
    [['--port', 'http'], /bad value for --port/],
    [['--port', '70000'], /bad value for --port/],
    [['--credits-per-key', '-1'], /bad value for --credits-per-key/],
    [['--creates-per-second', 'fast'], /bad value for --creates-per-second/],
    [['--threads', '0'], /bad value for --threads/],
    [['--owner-cache-mb', '0'], /bad value for --owner-cache-mb/],
    [['--owner-cache-mb', '64MB'], /bad value for --owner-cache-mb/],
    [['--manifest'], /--manifest needs a value/],
    // a media origin goes into the page's CSP: nothing that could end or extend a directive
    [['--media-origin', "https://a.example; script-src *"], /bad value for --media-origin/],
    [['--media-origin', "'unsafe-inline'"], /bad value for --media-origin/],
    [['frobnicate'], /unknown command/],
  ]) {
    const r = spawnSync(registryBinary(), args, { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('admin commands check their values before touching storage', () => {
  const dir = tempDir();
  try {
    for (const [args, message] of [
      [['add-credits', '--key', 'nokey', '--amount', '3'], /bad value for --key: an API key starts with ck_/],
      [['add-credits', '--key', 'ck_x', '--amount', '-4'], /bad value for --amount/],
      [['add-credits', '--key', 'ck_x', '--amount', '0'], /bad value for --amount/],
      [['add-credits', '--key', 'ck_x'], /--amount is required/],
      // --count was an unchecked atoll: "1e3" imported 1 row, "9e99" none, "12abc" 12
      [['import-vectors', '--file', 'f', '--model', 'm', '--count', '1e3'], /bad value for --count/],
      [['import-vectors', '--file', 'f', '--model', 'm', '--count', '12abc'], /bad value for --count/],
      [['import-vectors', '--file', 'f', '--model', 'm', '--count', '99999999999999999999'], /bad value for --count/],
      [['import-vectors', '--file', 'f', '--model', 'm', '--count'], /--count needs a value/],
      [['import-vectors', '--file', 'f', '--model', 'm', '--count', '2', '--bogus'], /unknown flag --bogus/],
      [[], /admin needs a command: add-credits or import-vectors/],
      [['frobnicate'], /unknown admin command "frobnicate"/],
    ]) {
      const r = spawnSync(registryBinary(), ['--data-dir', join(dir, 'data'), 'admin', ...args],
        { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    // Nothing was opened: a refused command leaves no database behind.
    assert.equal(existsSync(join(dir, 'data')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad PORT in the environment names the variable; flags win over it', () => {
  const env = { ...process.env, DATABASE_URL: '', PORT: 'eighty' };
  const r = spawnSync(registryBinary(), [], { encoding: 'utf8', env });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bad value for --port \[PORT\]: "eighty"/);
  for (const args of [['--port', '1.5'], ['--port', '0x10'], ['--keys-per-minute', 'inf'], ['--keys-per-minute', 'nan']]) {
    const bad = spawnSync(registryBinary(), args, { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`bad value for ${args[0]}`));
  }
});

test('admin --help and serve --help show their own flags', () => {
  const r = spawnSync(registryBinary(), ['admin', 'import-vectors', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ['--file', '--model', '--count', '--public']) assert.ok(r.stdout.includes(flag), flag);
});

test('a malformed manifest stops the server with a message', () => {
  const dir = tempDir();
  try {
    const bad = join(dir, 'bad.json');
    spawnSync('sh', ['-c', `printf '{"embeddings": 3}' > ${bad}`]);
    const r = spawnSync(registryBinary(), ['--port', '0', '--data-dir', join(dir, 'data'), '--manifest', bad],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 10000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /embeddings/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing manifest, or one that lists no model, stops the server with a message', () => {
  const dir = tempDir();
  try {
    const empty = join(dir, 'empty.json');
    spawnSync('sh', ['-c', `printf '{"embeddings": []}' > ${empty}`]);
    for (const [manifest, message] of [[join(dir, 'no-such-manifest.json'), /cannot read the model manifest .*no-such-manifest\.json/],
      [empty, /lists no model/]]) {
      const r = spawnSync(registryBinary(), ['--port', '0', '--data-dir', join(dir, 'data'), '--manifest', manifest],
        { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 10000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HOST, PORT and DATA_DIR come from the environment; DATA_DIR is created', async () => {
  const dir = tempDir();
  const dataDir = join(dir, 'nested', 'data');
  // (--owner-cache-mb: a bound the server takes as it starts)
  const proc = spawn(registryBinary(), ['--manifest', writeManifest(dir), '--owner-cache-mb', '8'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no start in 10 s')), 10000);
      let out = '';
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    assert.equal((await api(url, 'GET', '/healthz')).status, 200);
    assert.ok(existsSync(join(dataDir, 'registry.sqlite3')));
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
