// Identity figures of an embedding model over cached clip features (identity_cache.mjs): the clip
// vectors are made by the pipeline's own fusion (lib/identity/pipeline.mjs fuseClip, C++ in the
// wasm core) from the cached parts, quantised to int8 like the payload, and scored by the model's
// similarity rule (lib/identity/similarity.mjs), so the figures are those `charid compare` gives.
import { embeddingModel, fuseClip } from '../lib/identity/pipeline.mjs';
import { keyFrames, spreadFromKeyFrames } from '../lib/identity/parts.mjs';
import { modelSimilarity } from '../lib/identity/similarity.mjs';
import { CANDIDATE_PARTS } from './identity_cache.mjs';
import { atThreshold, pairFigures, pairScores, thresholdForFar } from './identity_metrics.mjs';

// The cached part that a recipe of a model asks for.
function cachedName(recipe) {
  const c = CANDIDATE_PARTS.find((p) => p.model === recipe.model && p.crop === recipe.crop && !p.subject_only === !recipe.subject_only);
  if (!c) throw new Error(`no cached part for recipe ${JSON.stringify(recipe)}`);
  return c.name;
}

// The int8 round trip of the payload (src/identity/identity_vector.cpp quantize_int8).
function int8RoundTrip(v) {
  let mx = 0;
  for (const x of v) mx = Math.max(mx, Math.abs(x));
  const scale = mx > 0 ? mx / 127 : 1;
  return Float32Array.from(v, (x) => Math.max(-127, Math.min(127, Math.round(x / scale))) * scale);
}

// spec: a manifest embeddings entry (its parts with offsets; weights and recipes for @2).
export function clipVectors(core, manifest, spec, features) {
  const { recipes, layout } = embeddingModel(core, { ...manifest, embeddings: [spec] }, spec.model);
  return features.map((f) => {
    // the cache holds every frame; a `frames: "key"` recipe sees its key frames only, as frameParts does
    const keys = keyFrames(f.frameWeights);
    const values = (r) => (r.frames === 'key' ? spreadFromKeyFrames(keys, keys.map((k) => f.parts[cachedName(r)][k]), f.frameWeights.length) : f.parts[cachedName(r)]);
    const parts = Object.fromEntries(recipes.map((r) => [r.name, values(r)]));
    return int8RoundTrip(fuseClip(core, layout, parts, f.frameWeights).vector);
  });
}

// The clip's vector of one cached part on its own: mean of the L2-normalised frame values
// (frames without the part are skipped); null when no frame has it.
export function partVector(feature, name, { persistent = false } = {}) {
  const frames = feature.parts[name].filter(Boolean);
  if (!frames.length || (persistent && 2 * frames.length < feature.parts[name].length)) return null;
  const out = new Float64Array(frames[0].length);
  for (const v of frames) {
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < v.length; i++) out[i] += v[i] / n;
  }
  return out;
}

export function cosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  return na && nb ? d / Math.sqrt(na * nb) : 0;
}

// Figures of a similarity over the items of `group` (indices into features): pair AUC, EER and
// its threshold, top-1 leave-one-out, and at `threshold` the share of same pairs accepted, the
// false-accept rate and the listed look-alikes accepted.
export function figures(features, group, similarity, threshold, lookAlikes) {
  const labels = group.map((i) => features[i].character);
  const sim = (a, b) => similarity(group[a], group[b]);
  const local = new Map(group.map((g, k) => [g, k]));
  const pairs = lookAlikes.filter(([a, b]) => local.has(a) && local.has(b)).map(([a, b]) => [local.get(a), local.get(b)]);
  return { ...pairFigures(labels, sim), at: atThreshold(labels, sim, threshold, pairs) };
}

// The FAR <= maxFar threshold over all items.
export function calibrate(features, similarity, maxFar = 0.01) {
  const labels = features.map((f) => f.character);
  return thresholdForFar(pairScores(labels, similarity).diff, maxFar);
}

// Similarity function over clip indices for a model spec.
export function modelScorer(core, manifest, spec, features) {
  const vectors = clipVectors(core, manifest, spec, features);
  const scoring = spec.similarity ? spec : { parts: spec.parts };
  return (i, j) => modelSimilarity(scoring, vectors[i], vectors[j]);
}
