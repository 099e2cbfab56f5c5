// Node entry point of reference packs (the CLI and the tests): sample the clip once, make the
// pack from those frames, write the folder atomically.
import { loadCore } from '../core_module.mjs';
import { publicSource, sample } from '../media.mjs';
import { nodeRunner } from '../identity/node.mjs';
import { makePack } from './pack.mjs';
import { checkPackDir, writePackDir } from './write.mjs';

const FRAMES = 16;

// options: {out, start, box (normalised), allowLowRes, id, name, model, count}
// -> {manifest, dir, written: [file names]}
export async function packVideo(input, { out, start, box = null, allowLowRes = false, id, name, model, count = FRAMES } = {}) {
  const started = performance.now();
  await checkPackDir(out); // say so before the work, not after it
  const [core, runner] = await Promise.all([loadCore(), nodeRunner()]);
  const sampled = await sample(input, { start, allowLowRes, count });
  const { manifest, files } = await makePack(core, runner, sampled, { box, id, name, model, source: publicSource(sampled.source) });
  manifest.timings_ms.total = Math.round(performance.now() - started);
  const written = await writePackDir(out, manifest, files);
  return { manifest, dir: out, written };
}
