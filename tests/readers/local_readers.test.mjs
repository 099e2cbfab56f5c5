// The file reader (Node) and the Blob reader (Worker only) on real input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CharidError } from '../../lib/errors.mjs';
import { openBlobReader } from '../../lib/readers/blob_reader.mjs';
import { openFileReader } from '../../lib/readers/file_reader.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = path.resolve(root, '..', 'shared', 'fixtures', 'media', 'Eyevinn__mp4ff', 'vp9.ivf');

test('the file reader reads at offsets and stops at the end', () => {
  const bytes = fs.readFileSync(FILE);
  const reader = openFileReader(FILE);
  try {
    assert.equal(reader.size, bytes.length);
    const view = new Uint8Array(100);
    assert.equal(reader.readInto(1000, view), 100);
    assert.deepEqual(Buffer.from(view), bytes.subarray(1000, 1100));
    assert.equal(reader.readInto(bytes.length - 10, view), 10);
    assert.equal(reader.readInto(bytes.length, view), 0);
  } finally {
    reader.close();
  }
});

test('a folder or a missing path is unreadable_input with the reason, a CharidError', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-readers-'));
  try {
    assert.throws(() => openFileReader(dir), (err) => err instanceof CharidError && err.code === 'unreadable_input' && /a folder/.test(err.message));
    assert.throws(() => openFileReader(path.join(dir, 'missing.mp4')), (err) => err instanceof CharidError && err.code === 'unreadable_input' && /no file at/.test(err.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the Blob reader outside a Worker is invalid_argument, a CharidError', () => {
  const blob = new Blob([fs.readFileSync(FILE)]);
  assert.throws(() => openBlobReader(blob), (err) => err instanceof CharidError && err.code === 'invalid_argument' && /Web Worker/.test(err.message));
});
