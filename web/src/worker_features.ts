// The Worker's on-device features over the sampled window it already holds (no second decode):
// the reference pack (lib/pack, charid.pack/1) and the registry-free part of the cast check
// (lib/cast's castTracks; the page scores the tracks with its own registry client, so nothing
// but identity vectors ever leaves, and nothing of a pack at all).
// worker.ts routes the 'pack' and 'cast' messages here and hands over its own helpers.
import { makePack } from '../../lib/pack/pack.mjs';
import { castTracks } from '../../lib/cast/cast.mjs';
import { DEFAULT_MODEL } from '../../lib/identity/pipeline.mjs';
import { publicSource } from '../../lib/media.mjs';

type Msg = { id: number; type: string; [k: string]: any };
type Frame = { rgb: Uint8Array; width: number; height: number; timestamp: number };

// What worker.ts lends: the core loader, the runner, its cached sampler, the staged runner
// (progress per network) and its thumbnails.
export type WorkerParts = {
  core: () => Promise<any>;
  loadRunner: () => Promise<any>;
  sampleCached: (m: Msg) => Promise<{ sampled: any; decodeMs: number }>;
  stagedRunner: (runner: any, id: number) => any;
  thumbnails?: (frames: Frame[], maxWidth?: number, quality?: number) => Promise<any[]>;
};

// PNG through the browser's own encoder (lib/pack/node.mjs uses pngjs for the same files).
// OffscreenCanvas stores premultiplied alpha: a cutout's half-transparent edge may differ by a
// level from pngjs's, never its fully transparent or opaque pixels.
async function encodeCanvasPng(image: { width: number; height: number; rgba: Uint8Array }) {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const pixels = new Uint8ClampedArray(image.rgba.buffer as ArrayBuffer, image.rgba.byteOffset, image.rgba.byteLength);
  canvas.getContext('2d')!.putImageData(new ImageData(pixels, image.width, image.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return { bytes: new Uint8Array(await blob.arrayBuffer()), format: 'png' as const };
}

// -> {manifest (pack.json), files: [{name, bytes}], timings}
export async function doPack(m: Msg, w: WorkerParts) {
  const started = performance.now();
  const [wasm, runner] = await Promise.all([w.core(), w.loadRunner()]);
  const { sampled } = await w.sampleCached(m);
  (self as any).postMessage({ id: m.id, progress: { stage: 'finding' } });
  const { manifest, files } = await makePack(wasm, w.stagedRunner(runner, m.id), sampled, {
    box: m.box ?? null,
    ...(m.model ? { model: m.model } : {}),
    ...(m.characterId ? { id: m.characterId } : {}),
    ...(m.name ? { name: m.name } : {}),
    source: publicSource(sampled.source),
    encode: encodeCanvasPng,
  });
  manifest.timings_ms.total = Math.round(performance.now() - started);
  return { manifest, files };
}

// -> castTracks' result ({tracks, payloads, model, frames, warnings}) with the model's
// threshold, the source and a small JPEG of every sampled frame (the page draws the boxes on them).
export async function doCast(m: Msg, w: WorkerParts) {
  const started = performance.now();
  const [wasm, runner] = await Promise.all([w.core(), w.loadRunner()]);
  // checking is not creating: clips under 720p are taken (the page says the score is less reliable)
  const { sampled } = await w.sampleCached({ ...m, allowLowRes: true });
  (self as any).postMessage({ id: m.id, progress: { stage: 'finding' } });
  const model = m.model ?? DEFAULT_MODEL;
  const found = await castTracks(wasm, w.stagedRunner(runner, m.id), sampled, { model, source: publicSource(sampled.source) });
  const threshold = runner.manifest.embeddings?.find((e: any) => e.model === model)?.threshold ?? null;
  const frames = w.thumbnails ? await w.thumbnails(sampled.frames, 320, 0.75) : [];
  return { ...found, threshold, source: publicSource(sampled.source), thumbnails: frames, timings: { total: Math.round(performance.now() - started) } };
}
