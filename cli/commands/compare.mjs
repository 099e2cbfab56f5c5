// charid compare <a> <b> [--json] [--allow-low-res]
// a and b are clips (path or URL) or saved charid.embedding/1 payload files; prints the cosine
// similarity of their identity vectors and a same/different verdict at the model's calibrated
// threshold (models/manifest.json). Rejected input exits 2.
import fs from 'node:fs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { compare, embed } from '../../lib/identity/node.mjs';
import { IdentityError } from '../../lib/identity/pipeline.mjs';
import { reportIdentityError } from './embed.mjs';

const USAGE = 'usage: charid compare <a> <b> [--json] [--allow-low-res]\n' +
  '  a, b: video paths or URLs, or payload files written by "charid embed --json"\n';
const SPEC = { json: 'boolean', 'allow-low-res': 'boolean' };

// A local file whose text is a JSON object is a saved payload; anything else is a clip.
function readPayload(input) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) || !fs.existsSync(input)) return null;
  const fd = fs.openSync(input, 'r');
  const head = Buffer.alloc(64);
  const n = fs.readSync(fd, head, 0, 64, 0);
  fs.closeSync(fd);
  if (!head.subarray(0, n).toString('utf8').trimStart().startsWith('{')) return null;
  try {
    return JSON.parse(fs.readFileSync(input, 'utf8'));
  } catch (err) {
    throw new IdentityError('unreadable_input', `${input} looks like JSON but is not valid: ${err.message}`);
  }
}

async function payloadOf(input, allowLowRes) {
  return readPayload(input) ?? (await embed(input, { allowLowRes })).payload;
}

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 2,
  missing: 'Give two clips or payload files to compare.',
  report: reportIdentityError,
  async body(flags, positional) {
    const a = await payloadOf(positional[0], flags['allow-low-res']);
    const b = await payloadOf(positional[1], flags['allow-low-res']);
    const r = await compare(a, b);
    const out = {
      ok: true,
      model: r.model,
      similarity: Math.round(r.similarity * 1e6) / 1e6,
      threshold: r.threshold,
      verdict: r.verdict,
      a: { input: positional[0], subject: a.subject },
      b: { input: positional[1], subject: b.subject },
    };
    if (flags.json) printJson(out);
    else process.stdout.write(`similarity ${out.similarity.toFixed(4)} (threshold ${r.threshold}): ${r.verdict === 'same' ? 'same character' : r.verdict === 'different' ? 'different characters' : 'no calibrated threshold'}\n`);
  },
});
