// A 1 GB input is read in pieces: sampling its window keeps wasm memory far
// under the 256 MB budget and reads only a few MB of the file. The input is
// a real fixture looped (stream copy, no re-encoding) into temporary files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore } from '../../lib/core_module.mjs';
import { openReader } from '../../lib/media.mjs';
import { media } from './helpers.mjs';

const GB = 1e9;
let dir;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-large-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function loopedCopy(name, format) {
  const out = path.join(dir, name);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '580', '-i',
    media('Vanilagy__mediabunny/video.mp4'), '-an', '-c', 'copy', '-f', format, out]);
  assert.equal(r.status, 0, String(r.stderr));
  assert.ok(fs.statSync(out).size > GB, 'the generated file is over 1 GB');
  return out;
}

for (const [name, format] of [['big.mp4', 'mp4'], ['big.mkv', 'matroska']]) {
  test(`a 1 GB ${format} file samples within the memory budget, reading a few MB`, async () => {
    const file = loopedCopy(name, format);
    const core = await loadCore();
    for (const start of [0, 2000]) {
      const reader = openReader(file);
      try {
        const r = core.sample(reader, { start }, null);
        assert.equal(r.ok, true, JSON.stringify(r.error));
        assert.equal(r.frames.length, 16);
        assert.ok(r.frames[0].timestamp >= start);
        assert.ok(reader.bytesRead < 16 * 2 ** 20, `read ${reader.bytesRead} bytes`);
      } finally {
        reader.close();
      }
      // Linear memory only grows, so its size now is the peak so far.
      assert.ok(core.HEAPU8.length < 256 * 2 ** 20, `wasm memory ${core.HEAPU8.length} bytes`);
    }
    fs.rmSync(file);
  });
}
