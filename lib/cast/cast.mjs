// The cast check: who is in this clip, and where. Every subject of the sampled frames is followed
// into a track (detect.mjs, tracks.mjs), each track is embedded with the embedding model from its
// own frames, boxes and faces (the identity pipeline's parts and fusion), and matched through the
// registry: the match route, or verify against each expected ID. A track that matches nothing at
// the model's calibrated threshold is unknown (best: null), never put on the nearest ID.
// Shared by the CLI and the page (castTracks in its Worker, scoreCast on the page with the page's
// registry client): no Node APIs; `client` is a RegistryClient.
import { CharidError } from '../errors.mjs';
import { DEFAULT_MODEL, deleteFrames, embeddingModel, fuseClip, identityFrames, sharpnessWeights, writePayload } from '../identity/pipeline.mjs';
import { frameParts } from '../identity/parts.mjs';
import { detectAll, foregroundRegions } from './detect.mjs';
import { buildTracks, frameSubjects } from './tracks.mjs';

const MATCHES = 5;
const round3 = (v) => Math.round(v * 1000) / 1000;
// A box in frame pixels -> [x, y, w, h] in 0..1 of the frame, the part inside the frame only
// (detector boxes may reach past the edge).
function normalised([x, y, w, h], width, height) {
  const x0 = Math.max(0, x), y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w), y1 = Math.min(height, y + h);
  const fx = (v) => Math.floor((v / width) * 1e4) / 1e4, fy = (v) => Math.floor((v / height) * 1e4) / 1e4;
  return [fx(x0), fy(y0), fx(Math.max(0, x1 - x0)), fy(Math.max(0, y1 - y0))];
}

async function subjectsPerFrame(core, runner, images) {
  const detections = await detectAll(core, runner, images);
  const perFrame = detections.map(frameSubjects);
  if (perFrame.some((s) => s.length)) return { perFrame, fromRegions: false };
  // the detectors found nobody anywhere: the segmenter's regions stand in
  const regions = [];
  for (const image of images) regions.push((await foregroundRegions(core, runner, image)).map((d) => ({ kind: 'object', box: d.box, face: null })));
  return { perFrame: regions, fromRegions: true };
}

// One track's charid.embedding/1 payload, from its own frames only.
async function trackPayload(core, runner, sampled, images, track, model, source) {
  const chosen = embeddingModel(core, runner.manifest, model);
  const idx = track.frames.map((f) => f.i);
  const subject = { boxes: track.frames.map((f) => f.box), faces: track.frames.map((f) => f.face) };
  const weights = sharpnessWeights(core, idx.map((i) => sampled.frames[i]));
  const { parts } = await frameParts(core, runner, idx.map((i) => images[i]), subject, chosen.recipes, weights);
  const fused = fuseClip(core, chosen.layout, parts, weights);
  const first = sampled.frames[idx[0]];
  return writePayload(core, {
    model,
    vector: fused.vector,
    window: { start: first.timestamp, end: sampled.frames[idx[idx.length - 1]].timestamp },
    frames: idx.length,
    subject: { kind: track.kind === 'face' ? 'face' : track.kind, box: normalised(track.frames[0].box, first.width, first.height) },
    source: source ?? {},
    quality: { frames_kept: fused.kept.length, frames_with_face: subject.faces.filter(Boolean).length },
    warnings: [],
    timings: {},
  });
}

// -> [{id, name, score, verdict}] of the track, best first: the match route, or verify per
// expected ID.
async function scoreTrack(client, payload, threshold, expect, names) {
  const verdictOf = (score) => (threshold === null ? 'uncalibrated' : score >= threshold ? 'same' : 'different');
  if (!expect.length) {
    const { matches } = await client.match(payload, { k: MATCHES });
    return matches.map(({ id, name, score }) => ({ id, name, score, verdict: verdictOf(score) }));
  }
  const out = [];
  for (const id of expect) {
    const r = await client.verify(id, payload);
    out.push({ id, name: names.get(id) ?? null, score: r.score, verdict: r.verdict });
  }
  return out.sort((a, b) => b.score - a.score);
}

// The names of the expected IDs, looked up first: an unknown one is said before the long work.
// -> Map id -> name | null
export async function expectedNames(client, expect = []) {
  const names = new Map();
  for (const id of expect) names.set(id, (await client.getCharacter(id)).name ?? null);
  return names;
}

// The part of the cast check that needs no registry (the page's Worker runs it; the page then
// scores with its own registry client): every track of the sampled frames and its payload.
// options: {model, source}. -> {tracks: [{track, kind, frames: [{t, box}]}], payloads, model,
// frames, warnings}
export async function castTracks(core, runner, sampled, { model = DEFAULT_MODEL, source = null } = {}) {
  if (!sampled.frames.length) throw new CharidError('unreadable_input', 'no frames could be sampled from the window');
  const warnings = [...sampled.warnings];
  const images = identityFrames(core, sampled.frames);
  try {
    const { perFrame, fromRegions } = await subjectsPerFrame(core, runner, images);
    if (fromRegions) warnings.push('subjects_from_segmenter');
    for (const [i, dets] of perFrame.entries()) {
      for (const d of dets) d.appearance = core.colourDescriptor(images[i], d.box);
    }
    const found = buildTracks(perFrame);
    if (!found.length) warnings.push('no_subject_found');
    const payloads = [];
    for (const t of found) payloads.push(await trackPayload(core, runner, sampled, images, t, model, source));
    const tracks = found.map((t) => ({
      track: t.track,
      kind: t.kind,
      frames: t.frames.map((f) => {
        const frame = sampled.frames[f.i];
        return { t: round3(frame.timestamp), box: normalised(f.box, frame.width, frame.height) };
      }),
    }));
    return { tracks, payloads, model, frames: sampled.frames.length, warnings };
  } finally {
    deleteFrames(images);
  }
}

// The registry's part: each track of castTracks' result matched (or verified against each
// expected ID). client: {match, verify, getCharacter} as lib/registry/client.mjs; names: from
// expectedNames (looked up here when not given). -> {tracks, expected, model, threshold, frames, warnings}
export async function scoreCast(client, found, { expect = [], threshold = null, names = null } = {}) {
  names ??= await expectedNames(client, expect);
  const out = [];
  const scores = [];   // every score of every track, for the expected IDs not found
  for (const [k, t] of found.tracks.entries()) {
    const scored = await scoreTrack(client, found.payloads[k], threshold, expect, names);
    const same = scored.filter((s) => s.verdict === 'same');
    scores.push(...scored);
    // best: the highest-scoring ID at or above the threshold; candidates: every such ID
    out.push({ ...t, best: same[0] ?? null, candidates: same });
  }
  return {
    tracks: out, expected: expectedSummary(expect, names, out, scores), model: found.model, threshold,
    frames: found.frames, warnings: found.warnings,
  };
}

// sampled: the media core's sample(); options: {client, expect: [char_...], model, threshold,
// source}. -> {tracks, expected, model, threshold, frames, warnings}
export async function castSample(core, runner, sampled, { client, expect = [], model = DEFAULT_MODEL, threshold = null, source = null } = {}) {
  if (!sampled.frames.length) throw new CharidError('unreadable_input', 'no frames could be sampled from the window');
  const names = await expectedNames(client, expect);
  const found = await castTracks(core, runner, sampled, { model, source });
  return scoreCast(client, found, { expect, threshold, names });
}

// Per expected ID: found (some track verifies as the same), in which track and time range, with
// which score (the best track's; when not found, the highest score any track reached).
function expectedSummary(expect, names, tracks, scores) {
  return expect.map((id) => {
    let best = null;
    for (const t of tracks) {
      const s = t.candidates.find((c) => c.id === id);
      if (s && (!best || s.score > best.score)) best = { track: t, score: s.score };
    }
    if (!best) {
      const seen = scores.filter((s) => s.id === id).map((s) => s.score);
      return { id, name: names.get(id) ?? null, found: false, track: null, from: null, to: null, score: seen.length ? Math.max(...seen) : null };
    }
    const { track, score } = best;
    return { id, name: names.get(id) ?? null, found: true, track: track.track, from: track.frames[0].t, to: track.frames[track.frames.length - 1].t, score };
  });
}
