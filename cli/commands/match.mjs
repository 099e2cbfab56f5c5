// charid match <video|payload.json> [--k N] [--json]
// The characters most like the clip (yours and public ones), best first, each with a verdict at
// the model's calibrated threshold. Clips below 720p are taken, with a warning.
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { calibratedThreshold, checkInput } from '../inputs.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';

const USAGE = 'usage: charid match <video|payload.json> [--k N] [--json]\n' +
  '  --k N: at most N matches (1..50, default 10)\n' + REGISTRY_USAGE;

export const verdictAt = (score, threshold) => (threshold === null ? 'uncalibrated' : score >= threshold ? 'same' : 'different');

export const run = command({
  usage: USAGE,
  spec: { ...REGISTRY_FLAGS, k: 'number' },
  positionals: 1,
  missing: 'Give one video or payload file to match.',
  async body(flags, [input]) {
    if (flags.k !== undefined && !(Number.isInteger(flags.k) && flags.k >= 1 && flags.k <= 50)) {
      throw usageError('--k must be a whole number from 1 to 50.');
    }
    const { client } = registryClient(flags);
    const { payload, warnings } = await checkInput(input);
    const threshold = await calibratedThreshold(payload.model);
    const { matches } = await client.match(payload, { k: flags.k });
    const out = {
      matches: matches.map(({ id, name, score }) => ({ id, name, score, verdict: verdictAt(score, threshold) })),
      model: payload.model,
      threshold,
      warnings,
    };
    if (flags.json) {
      printJson(out);
      return;
    }
    if (!out.matches.length) process.stdout.write('No characters of this model to compare with.\n');
    for (const m of out.matches) {
      process.stdout.write(`${m.score.toFixed(4)}  ${m.verdict.padEnd(9)}  ${m.id}  ${m.name}\n`);
    }
  },
});
