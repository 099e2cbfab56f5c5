// charid cast <video> [--expect ID,...] [--allow-low-res] [--json]
// Who is in this clip, and where: every subject of the sampled frames followed into tracks, each
// matched against your characters and public ones (or verified against the expected IDs).
// -> {"tracks": [{track, kind, frames: [{t, box}], best: {id, name, score, verdict} | null,
//     candidates}], "expected": [{id, name, found, track, from, to, score}], ...}
// A track that matches nothing is unknown (best: null). Clips under 720p are checked, with a
// warning (--allow-low-res: you know, so it is not printed).
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';
import { castVideo } from '../../lib/cast/node.mjs';

const USAGE = 'usage: charid cast <path|url> [--expect ID,...] [--start S] [--allow-low-res] [--json]\n' +
  '  --expect char_a,char_b: verify the tracks against these characters (else: match)\n' +
  '  --allow-low-res: take a clip under 720p without the warning\n' + REGISTRY_USAGE;
const ID = /^char_[0-9A-Za-z]{16,}$/;

function parseExpect(text) {
  const ids = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  if (!ids.length) throw usageError('--expect needs one or more character IDs, separated by commas.');
  const bad = ids.find((id) => !ID.test(id));
  if (bad) throw usageError(`--expect takes character IDs like char_..., not "${bad}".`);
  if (ids.length > 7) throw usageError('--expect takes at most 7 characters.');
  return ids;
}

export const run = command({
  usage: USAGE,
  spec: { ...REGISTRY_FLAGS, expect: 'string', start: 'number', 'allow-low-res': 'boolean' },
  positionals: 1,
  missing: 'Give exactly one video path or URL.',
  async body(flags, [input]) {
    const expect = flags.expect === undefined ? [] : parseExpect(flags.expect);
    const { client } = registryClient(flags);
    await client.key(); // no key: say so now, not after the inference
    const out = await castVideo(input, { client, expect, start: flags.start });
    if (out.warnings.includes('low_resolution') && !flags['allow-low-res']) {
      process.stderr.write('charid: warning: the clip is below 720p: a low resolution makes the scores less reliable.\n');
    }
    if (flags.json) {
      printJson(out);
      return;
    }
    if (!out.tracks.length) process.stdout.write('Nobody was found in the sampled frames.\n');
    for (const t of out.tracks) {
      const who = t.best ? `${t.best.name} (${t.best.id}) ${t.best.score.toFixed(4)}` : 'unknown';
      const from = t.frames[0].t, to = t.frames[t.frames.length - 1].t;
      process.stdout.write(`track ${t.track}  ${t.kind.padEnd(7)} ${from.toFixed(2)}-${to.toFixed(2)} s  ${who}\n`);
    }
    for (const e of out.expected) {
      process.stdout.write(e.found
        ? `${e.id}  found in track ${e.track}, ${e.from.toFixed(2)}-${e.to.toFixed(2)} s, score ${e.score.toFixed(4)}\n`
        : `${e.id}  not found${e.score === null ? '' : ` (best score ${e.score.toFixed(4)})`}\n`);
    }
  },
});
