// Node entry point of the cast check (the CLI and the tests): sample the clip once (clips under
// 720p are taken: this is a check, not a reference), then castSample over those frames.
import { loadCore } from '../core_module.mjs';
import { publicSource, sample } from '../media.mjs';
import { nodeRunner } from '../identity/node.mjs';
import { DEFAULT_MODEL } from '../identity/pipeline.mjs';
import { castSample } from './cast.mjs';

const FRAMES = 16;

// options: {client (RegistryClient), expect: [char_...], start, count, model}
export async function castVideo(input, { client, expect = [], start, count = FRAMES, model = DEFAULT_MODEL } = {}) {
  const started = performance.now();
  const [core, runner] = await Promise.all([loadCore(), nodeRunner()]);
  const sampled = await sample(input, { start, allowLowRes: true, count });
  const threshold = runner.manifest.embeddings?.find((e) => e.model === model)?.threshold ?? null;
  const result = await castSample(core, runner, sampled, { client, expect, model, threshold, source: publicSource(sampled.source) });
  const s = sampled.source;
  const shortSide = Math.min(s.display_width ?? s.width, s.display_height ?? s.height);
  if (shortSide < 720) result.warnings.unshift('low_resolution');
  result.timings_ms = { total: Math.round(performance.now() - started) };
  return result;
}
