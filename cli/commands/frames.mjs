// charid frames <path|url> --out DIR [--count K] [--start S] [--allow-low-res]
// Writes DIR/frame_00.png ... and prints JSON listing each file.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { sample, publicSource } from '../../lib/media.mjs';

const USAGE = 'usage: charid frames <path|url> --out DIR [--count K] [--start S] [--allow-low-res]\n';
const SPEC = { out: 'string', count: 'number', start: 'number', 'allow-low-res': 'boolean', json: 'boolean' };

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 1,
  missing: 'Give exactly one video path or URL.',
  json: 'always',
  async body(flags, [input]) {
    if (!flags.out) throw usageError('--out DIR is required: the folder to write the frames into.');
    if (flags.count !== undefined && !(Number.isInteger(flags.count) && flags.count >= 1 && flags.count <= 256)) {
      throw usageError('--count must be a whole number from 1 to 256.');
    }
    const showProgress = process.stderr.isTTY;
    const result = await sample(input, {
      count: flags.count,
      start: flags.start,
      allowLowRes: flags['allow-low-res'],
    }, showProgress ? (done, total) => process.stderr.write(`\rdecoding: ${done}/${total} frames`) : null);
    if (showProgress) process.stderr.write('\n');

    fs.mkdirSync(flags.out, { recursive: true });
    const frames = result.frames.map((frame, i) => {
      const file = path.join(flags.out, `frame_${String(i).padStart(2, '0')}.png`);
      const bytes = writePng(file, frame);
      return { file, index: frame.index, timestamp: frame.timestamp, width: frame.width, height: frame.height, bytes };
    });
    printJson({
      ok: true,
      source: publicSource(result.source),
      window: result.window,
      frames,
      warnings: result.warnings,
    });
  },
});

// RGB -> RGBA PNG; written to a temporary name first so a failed run never
// leaves a half-written frame behind.
function writePng(file, frame) {
  const png = new PNG({ width: frame.width, height: frame.height, colorType: 2 });
  const { rgb } = frame;
  for (let src = 0, dst = 0; src < rgb.length; src += 3, dst += 4) {
    png.data[dst] = rgb[src];
    png.data[dst + 1] = rgb[src + 1];
    png.data[dst + 2] = rgb[src + 2];
    png.data[dst + 3] = 255;
  }
  const buffer = PNG.sync.write(png, { colorType: 2 });
  fs.writeFileSync(`${file}.tmp`, buffer);
  fs.renameSync(`${file}.tmp`, file);
  return buffer.length;
}
