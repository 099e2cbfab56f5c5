// charid embed <path|url> [--json] [--start S] [--allow-low-res] [--box x,y,w,h]
// Prints the charid.embedding/1 payload of the clip's 4 s window. Rejected input exits 2 with
// {"ok": false, "error": {"code", "message"}} (with --json) or a plain message.
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { embed } from '../../lib/identity/node.mjs';

const USAGE = 'usage: charid embed <path|url> [--json] [--start S] [--allow-low-res] [--box x,y,w,h]\n' +
  '  --box: the subject on the first sampled frame, normalised 0..1 (followed across frames)\n';
const SPEC = { json: 'boolean', start: 'number', 'allow-low-res': 'boolean', box: 'string' };

export function parseBox(text) {
  const v = text.split(',').map(Number);
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x))) {
    throw usageError(`--box needs four numbers x,y,w,h, not "${text}".`);
  }
  const [x, y, w, h] = v;
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > 1.0001 || y + h > 1.0001) {
    throw usageError('--box is normalised: x, y >= 0, w, h > 0, x + w <= 1 and y + h <= 1.');
  }
  return v;
}

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 1,
  missing: 'Give exactly one video path or URL.',
  async body(flags, [input]) {
    const result = await embed(input, {
      start: flags.start,
      allowLowRes: flags['allow-low-res'],
      box: flags.box === undefined ? null : parseBox(flags.box),
    });
    printJson(result.payload);
  },
});
