// charid compare <a> <b> [--json] [--allow-low-res]
// a and b are clips (path or URL) or saved charid.embedding/1 payload files; prints the cosine
// similarity of their identity vectors and a same/different verdict at the model's calibrated
// threshold (models/manifest.json). Rejected input exits 2.
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { compare, embed } from '../../lib/identity/node.mjs';
import { readPayloadFile } from '../inputs.mjs';

const USAGE = 'usage: charid compare <a> <b> [--json] [--allow-low-res]\n' +
  '  a, b: video paths or URLs, or payload files written by "charid embed --json"\n';
const SPEC = { json: 'boolean', 'allow-low-res': 'boolean' };

async function payloadOf(input, allowLowRes) {
  return readPayloadFile(input) ?? (await embed(input, { allowLowRes })).payload;
}

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 2,
  missing: 'Give two clips or payload files to compare.',
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
