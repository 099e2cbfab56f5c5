// The similarity rule of an embedding model, in plain JS so the page can score synchronously
// without the core. The one definition of the rule is src/core/part_similarity.h (the registry's
// index runs it in C++); this is the same arithmetic over a manifest entry:
//   cosine   - cosine of the whole vectors;
//   face_led - both vectors have a non-zero face part: W * cos(face) + (1 - W) * cos(the other
//              parts together) + face_offset (0 when absent), clamped to [-1, 1]; otherwise
//              cos(the other parts together). face_offset puts the face-led branch on the
//              appearance branch's scale so one threshold serves both (bench/identity_calibration.mjs).
// tests/identity/similarity.test.mjs holds it to the core's partSimilarity on real payloads.

function sums(a, b, from, to, acc) {
  for (let i = from; i < to; i++) {
    acc.dot += a[i] * b[i];
    acc.na += a[i] * a[i];
    acc.nb += b[i] * b[i];
  }
  return acc;
}

const cos = (s) => (s.na > 0 && s.nb > 0 ? Math.min(1, Math.max(-1, s.dot / Math.sqrt(s.na * s.nb))) : 0);

// spec: the manifest's embeddings entry ({parts: [{name, offset, dims}], similarity}).
export function modelSimilarity(spec, a, b) {
  if (a.length !== b.length) throw new RangeError('vectors of different sizes cannot be compared');
  const rule = spec.similarity;
  if (!rule || rule.rule === 'cosine') return cos(sums(a, b, 0, a.length, { dot: 0, na: 0, nb: 0 }));
  if (rule.rule !== 'face_led') throw new RangeError(`unknown similarity rule ${rule.rule}`);
  const face = { dot: 0, na: 0, nb: 0 };
  const rest = { dot: 0, na: 0, nb: 0 };
  for (const p of spec.parts) sums(a, b, p.offset, p.offset + p.dims, p.name === rule.face_part ? face : rest);
  const appearance = cos(rest);
  if (!(face.na > 0 && face.nb > 0)) return appearance;
  const w = rule.face_weight;
  return Math.min(1, Math.max(-1, w * cos(face) + (1 - w) * appearance + (rule.face_offset ?? 0)));
}
