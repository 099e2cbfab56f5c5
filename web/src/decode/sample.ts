// The sampled window in the Worker: WebCodecs first, the core's own decoders (FFmpeg, dav1d:
// lib/media.mjs sample) as the fallback. Both give the same result shape as sample(), plus
// `decoder: 'webcodecs' | 'wasm'` (and `fallback`, why WebCodecs did not serve).
//
// `webcodecs: false` (the engine option, the page's ?webcodecs=0) forces the wasm path.
import { sample, MediaError } from '../../../lib/media.mjs';
import { openBlobReader } from '../../../lib/readers/blob_reader.mjs';
import { decodePlan, type PlannedFrame } from './webcodecs';

export type WindowOptions = { start?: number; allowLowRes?: boolean; count?: number };
export type SampleHooks = {
  webcodecs?: boolean;
  onProgress?: (done: number, total: number) => void;
  // each frame as soon as it is decoded and converted (WebCodecs path only)
  onFrame?: (frame: PlannedFrame, done: number, total: number) => void;
};

async function sampleWithWebCodecs(core: any, file: Blob, o: WindowOptions, hooks: SampleHooks) {
  const started = performance.now();
  const reader = openBlobReader(file);
  let plan;
  try {
    plan = core.decodePlan(reader, { start: o.start ?? 0, allowLowRes: !!o.allowLowRes, count: o.count ?? 16 });
  } finally {
    reader.close();
  }
  if (!plan.ok) {
    // the core's own decoders read more codecs (GIF, MPEG-4 Part 2) than WebCodecs names
    if (plan.error.code === 'unsupported_codec') return { fallback: 'unsupported_codec' };
    throw new MediaError(plan.error.code, plan.error.message);
  }
  const planned = performance.now();
  const { frames, decoded } = await decodePlan(core, plan, {
    onFrame: (f, done, total) => {
      hooks.onProgress?.(done, total);
      hooks.onFrame?.(f, done, total);
    },
  });
  const summary = core.summarizeFrames(frames, plan.window.end - plan.window.start, 0);
  if (!summary.ok) throw new MediaError(summary.error.code, summary.error.message);
  return {
    result: {
      ok: true,
      source: plan.source,
      window: plan.window,
      frames: frames.map(({ histogram, ...f }) => f),
      quality: summary.quality,
      warnings: summary.warnings,
      decode_errors: 0,
      frames_decoded: decoded,
      decoder: 'webcodecs' as const,
      codec: plan.config.codec,
      packets_sent: plan.packets.length,
      // the plan (demux, window, packets) and the decode (WebCodecs, copies, conversion)
      stages_ms: { plan: Math.round(planned - started), decode: Math.round(performance.now() - planned) },
    },
  };
}

export async function sampleWindow(core: any, file: Blob, o: WindowOptions, hooks: SampleHooks = {}) {
  let fallback = 'disabled';
  if (hooks.webcodecs !== false) {
    if (typeof VideoDecoder === 'undefined') fallback = 'no_webcodecs';
    else if (typeof core.decodePlan !== 'function') fallback = 'core_without_plan';
    else {
      try {
        const r = await sampleWithWebCodecs(core, file, o, hooks);
        if (r.result) return r.result;
        fallback = r.fallback!;
      } catch (err: any) {
        if (err?.code !== 'webcodecs_unavailable') throw err;
        fallback = err.details?.reason ?? 'decode_error';
      }
    }
  }
  const sampled = await sample(openBlobReader(file), { start: o.start, allowLowRes: o.allowLowRes, count: o.count ?? 16 }, hooks.onProgress);
  return { ...sampled, decoder: 'wasm' as const, fallback };
}
