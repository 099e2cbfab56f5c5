// Node entry point of reference packs (the CLI and the tests): sample the clip once, make the
// pack from those frames (PNG by pngjs, the Node-only part of the images), write the folder
// atomically. The page's Worker makes the same pack with its own encoder (web/src/worker_features.ts).
import pngjs from 'pngjs';
import { loadCore } from '../core_module.mjs';
import { publicSource, sample } from '../media.mjs';
import { nodeRunner } from '../identity/node.mjs';
import { makePack } from './pack.mjs';
import { checkPackDir, writePackDir } from './write.mjs';

const { PNG } = pngjs;
const FRAMES = 16;

// PNG bytes: RGB (colour type 2) for opaque images, RGBA (6) for cutouts.
export function encodePng({ width, height, rgba }, { alpha = false } = {}) {
  const bytes = new Uint8Array(PNG.sync.write({ width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) },
    { colorType: alpha ? 6 : 2, inputColorType: 6, inputHasAlpha: true }));
  return { bytes, format: 'png' };
}

// options: {out, start, box (normalised), allowLowRes, id, name, model, count}
// -> {manifest, dir, written: [file names]}
export async function packVideo(input, { out, start, box = null, allowLowRes = false, id, name, model, count = FRAMES } = {}) {
  const started = performance.now();
  await checkPackDir(out); // say so before the work, not after it
  const [core, runner] = await Promise.all([loadCore(), nodeRunner()]);
  const sampled = await sample(input, { start, allowLowRes, count });
  const { manifest, files } = await makePack(core, runner, sampled, {
    box, id, name, model, source: publicSource(sampled.source), encode: encodePng,
  });
  manifest.timings_ms.total = Math.round(performance.now() - started);
  const written = await writePackDir(out, manifest, files);
  return { manifest, dir: out, written };
}
