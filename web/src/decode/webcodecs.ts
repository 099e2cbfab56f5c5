// Decoding a decode plan (the core's: src/media/decode_plan) with WebCodecs' VideoDecoder, in the
// Worker. The core chose the packets and the frames to keep; this file feeds the packets, copies
// the planes of each expected VideoFrame out and closes every VideoFrame at once (a decoder stalls
// when its frames are held), and hands the planes to the core's converter, so the frames equal the
// wasm sampler's: nearest frame per target (the core's rule, asked with the decoded timestamps),
// upright, square pixels, the stream's own colour matrix and range.
//
// Anything WebCodecs cannot do here (a codec it refuses, an error mid-way, frames other than the
// plan expected) is a CharidError 'webcodecs_unavailable' with details.reason; the caller then
// decodes with the core's own decoders.
import { CharidError } from '../../../lib/errors.mjs';

export type PlannedFrame = { timestamp: number; width: number; height: number; rgb: Uint8Array; quality: any; histogram: Float32Array };

// Pixel formats the core's converter takes as they are; any other is copied out as RGBX.
const CONVERTIBLE = new Set(['I420', 'I420A', 'I420P10', 'NV12', 'RGBX', 'RGBA', 'BGRX', 'BGRA']);
const MAX_QUEUE = 8; // packets waiting in the decoder before we wait for it (bounded memory)

const unavailable = (reason: string, message: string, cause?: unknown) =>
  new CharidError('webcodecs_unavailable', message, { details: { reason }, cause } as any);

const answer = (r: any) => {
  if (!r?.ok) throw new CharidError(r?.error?.code ?? 'internal_error', r?.error?.message ?? 'The charid core gave no answer.');
  return r;
};

// The VideoDecoderConfig of a plan.
export function decoderConfig(plan: any): VideoDecoderConfig {
  const c = plan.config;
  return {
    codec: c.codec,
    codedWidth: c.codedWidth,
    codedHeight: c.codedHeight,
    ...(c.description ? { description: c.description } : {}),
    hardwareAcceleration: 'no-preference',
  };
}

export async function configSupported(config: VideoDecoderConfig): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    return (await VideoDecoder.isConfigSupported(config)).supported === true;
  } catch {
    return false; // a config it cannot even parse
  }
}

// Copies a frame's planes out (its own format when the converter takes it, else RGBX), closes
// it, and converts them with the core.
async function copyAndConvert(core: any, plan: any, frame: VideoFrame, maxShortSide: number): Promise<PlannedFrame> {
  let copied;
  try {
    const own = frame.format && CONVERTIBLE.has(frame.format) ? frame.format : null;
    const options = own ? undefined : ({ format: 'RGBX' } as any);
    const data = new Uint8Array(frame.allocationSize(options));
    const layout = await frame.copyTo(data, options);
    const cs = frame.colorSpace;
    const planned = plan.config.colorSpace;
    copied = {
      format: own ?? 'RGBX',
      width: frame.visibleRect?.width ?? frame.codedWidth,
      height: frame.visibleRect?.height ?? frame.codedHeight,
      data,
      layout: layout.map((p: PlaneLayout) => ({ offset: p.offset, stride: p.stride })),
      // The stream's own description first: Chromium reports its default (BT.709, limited) for
      // a stream whose VUI says otherwise (BT.601 full range), which would shift every colour.
      matrix: planned.matrix ?? cs?.matrix ?? null,
      fullRange: planned.fullRange ?? cs?.fullRange ?? false,
      timestamp: frame.timestamp,
    };
  } finally {
    frame.close();
  }
  const out = answer(core.convertPlanes({
    ...copied,
    rotation: plan.config.rotation,
    sarNum: plan.config.sarNum,
    sarDen: plan.config.sarDen,
    maxShortSide,
  }));
  return { timestamp: copied.timestamp, width: out.width, height: out.height, rgb: out.rgb, quality: out.quality, histogram: out.histogram };
}

// -> { frames (each {index, timestamp (s), width, height, rgb, quality, histogram}), decoded }.
// onFrame(frame, done, total) as each expected frame is converted, in presentation order.
export async function decodePlan(core: any, plan: any, options: { maxShortSide?: number; onFrame?: (f: PlannedFrame, done: number, total: number) => void } = {}) {
  const config = decoderConfig(plan);
  if (!(await configSupported(config))) throw unavailable('unsupported_config', `WebCodecs does not decode ${config.codec} here.`);
  const expected = new Set<number>(plan.expected);
  const decoded: number[] = [];
  const converted = new Map<number, Promise<PlannedFrame>>();
  let failure: any = null;
  let done = 0;
  const decoder = new VideoDecoder({
    output(frame) {
      const ts = frame.timestamp;
      decoded.push(ts);
      if (!expected.has(ts) || converted.has(ts) || failure) {
        frame.close();
        return;
      }
      const job = copyAndConvert(core, plan, frame, options.maxShortSide ?? 512);
      job.then((f) => options.onFrame?.(f, ++done, expected.size), (err) => { failure ??= err; });
      converted.set(ts, job);
    },
    error(err) {
      failure ??= err;
    },
  });
  try {
    decoder.configure(config);
    for (const p of plan.packets) {
      if (failure) break;
      decoder.decode(new EncodedVideoChunk({ type: p.key ? 'key' : 'delta', timestamp: p.timestamp, ...(p.duration > 0 ? { duration: p.duration } : {}), data: p.data }));
      while (decoder.decodeQueueSize > MAX_QUEUE && !failure) {
        await new Promise((r) => { decoder.addEventListener('dequeue', r, { once: true }); setTimeout(r, 20); });
      }
    }
    if (!failure) await decoder.flush();
  } catch (err) {
    failure ??= err;
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
  const results = await Promise.allSettled(converted.values());
  if (failure) throw unavailable('decode_error', `WebCodecs stopped decoding: ${failure?.message ?? failure}`, failure);
  const bad = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (bad) throw bad.reason;

  // The core's rule on what was really decoded; it must pick frames we kept.
  const times = [...decoded].sort((a, b) => a - b);
  const { picks } = answer(core.pickFrames(times, plan.targets));
  const frames = [];
  for (const pick of picks) {
    const job = converted.get(times[pick.frame]);
    if (!job) throw unavailable('frames_differ', 'WebCodecs gave other frames than the plan expected.');
    const f = await job;
    frames.push({ index: pick.target, timestamp: f.timestamp / 1e6, width: f.width, height: f.height, rgb: f.rgb, quality: f.quality, histogram: f.histogram });
  }
  if (!frames.length) throw unavailable('no_frames', 'WebCodecs decoded no picture of this window.');
  return { frames, decoded: decoded.length };
}
