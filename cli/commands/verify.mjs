// charid verify ID <video|payload.json> [--timeline] [--json]
// Is this clip still the character? The registry scores the clip's vector against the
// character's own (which never leaves the server) -> { id, model, score, threshold, verdict }.
// --timeline also scores each sampled frame (the drift check): [{ t, score }] and the share of
// frames below the threshold. Clips below 720p are taken, with a warning.
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { checkInput } from '../inputs.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';

const USAGE = 'usage: charid verify ID <video|payload.json> [--timeline] [--json]\n' +
  '  --timeline: also the score of each sampled frame (needs a video, not a payload)\n' + REGISTRY_USAGE;

const round = (x) => Math.round(x * 1e6) / 1e6;

export const run = command({
  usage: USAGE,
  spec: { ...REGISTRY_FLAGS, timeline: 'boolean' },
  positionals: 2,
  missing: 'Give a character ID (char_...) and one video or payload file.',
  async body(flags, [id, input]) {
    const { client } = registryClient(flags);
    const { payload, frames, warnings } = await checkInput(input);
    if (flags.timeline && !frames) {
      throw usageError('--timeline scores each sampled frame, so it needs the video, not a saved payload.');
    }
    const r = await client.verify(id, payload, flags.timeline ? { frames: frames.map((f) => f.vector) } : {});
    const out = { id: r.id, model: r.model, score: r.score, threshold: r.threshold, verdict: r.verdict, warnings };
    if (flags.timeline) {
      out.timeline = frames.map((f, i) => ({ t: round(f.t), score: r.frames[i] }));
      out.below_threshold = round(out.timeline.filter((f) => f.score < r.threshold).length / out.timeline.length);
    }
    if (flags.json) {
      printJson(out);
      return;
    }
    const what = r.verdict === 'same' ? 'the same character' : 'a different character';
    process.stdout.write(`${what}: score ${r.score.toFixed(4)} (threshold ${r.threshold})\n`);
    if (out.timeline) {
      for (const f of out.timeline) {
        const mark = f.score < r.threshold ? '  below' : '';
        process.stdout.write(`  ${f.t.toFixed(2).padStart(7)} s  ${f.score.toFixed(4)}${mark}\n`);
      }
      process.stdout.write(`${Math.round(out.below_threshold * 100)}% of the frames below the threshold\n`);
    }
  },
});
