// Following the subjects of a clip across its sampled frames: detections joined into tracks by
// box overlap (IoU with the track's last box) and appearance (the core's colour descriptor of the
// box, compared with the track's mean), so a character who leaves and comes back keeps one track
// when it looks the same. Plain arithmetic over detections; no models here.
import { modelSimilarity } from '../identity/similarity.mjs';

const IOU_MIN = 0.2;            // with the last box, one or two frames ago
const IOU_GAP = 3;              // frames a track may skip and still be joined by overlap
const APPEARANCE_MIN = 0.6;     // colour cosine needed next to the overlap
const REENTRY_APPEARANCE = 0.85;  // colour cosine that joins a track without any overlap
const FACE_INSIDE = 0.8;        // share of a box inside another that makes it part of it (a face of a body)
const MIN_TRACK_SHARE = 0.25;   // of the sampled frames; shorter tracks are detector noise

export function iou([ax, ay, aw, ah], [bx, by, bw, bh]) {
  const w = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const h = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (aw * ah + bw * bh - inter);
}

function insideShare([fx, fy, fw, fh], [bx, by, bw, bh]) {
  const w = Math.min(fx + fw, bx + bw) - Math.max(fx, bx);
  const h = Math.min(fy + fh, by + bh) - Math.max(fy, by);
  return w > 0 && h > 0 ? (w * h) / (fw * fh) : 0;
}

// The plain cosine rule of lib/identity/similarity.mjs, over colour descriptors.
const COSINE = { similarity: { rule: 'cosine' } };
const cosine = (a, b) => modelSimilarity(COSINE, a, b);

// One frame's subjects: people and animals with the face inside them, and faces of no one
// detected as their own subject. frame: {faces, subjects} -> [{kind, box, face}]
export function frameSubjects({ faces, subjects }) {
  // a box mostly inside a bigger one of the same kind is a part of it (the detector also boxes
  // a body or a limb), not a second subject
  const whole = subjects.filter((s) => !subjects.some((o) => o !== s && o.kind === s.kind
    && o.box[2] * o.box[3] > s.box[2] * s.box[3] && insideShare(s.box, o.box) >= FACE_INSIDE));
  const bodies = whole.map((s) => ({ kind: s.kind, box: s.box, face: null }));
  const loose = [];
  for (const face of faces) {
    // a person before an animal, then the smallest box that holds the face
    const owner = bodies
      .filter((b) => !b.face && insideShare(face.box, b.box) >= FACE_INSIDE)
      .sort((a, b) => (a.kind === 'person') === (b.kind === 'person') ? a.box[2] * a.box[3] - b.box[2] * b.box[3] : a.kind === 'person' ? -1 : 1)[0];
    if (owner) owner.face = face;
    else loose.push({ kind: 'face', box: face.box, face });
  }
  return [...bodies, ...loose];
}

// perFrame: [[{kind, box, face, appearance: Float32Array}]] per sampled frame.
// -> [{track (1-based), kind, frames: [{i, box, face, appearance}]}], tracks shorter than
// MIN_TRACK_SHARE of the frames (at least 2) left out.
export function buildTracks(perFrame) {
  const tracks = [];
  perFrame.forEach((dets, i) => {
    const pairs = [];
    for (const [d, det] of dets.entries()) {
      for (const [k, t] of tracks.entries()) {
        if (t.kind !== det.kind) continue;
        const last = t.frames[t.frames.length - 1];
        if (last.i === i) continue;
        const overlap = i - last.i <= IOU_GAP ? iou(last.box, det.box) : 0;
        const look = cosine(t.appearanceSum, det.appearance);
        const joins = (overlap >= IOU_MIN && look >= APPEARANCE_MIN) || look >= REENTRY_APPEARANCE;
        if (joins) pairs.push({ d, k, value: overlap + look });
      }
    }
    pairs.sort((a, b) => b.value - a.value);
    const usedDet = new Set(), usedTrack = new Set();
    for (const p of pairs) {
      if (usedDet.has(p.d) || usedTrack.has(p.k)) continue;
      usedDet.add(p.d);
      usedTrack.add(p.k);
      addFrame(tracks[p.k], i, dets[p.d]);
    }
    for (const [d, det] of dets.entries()) {
      if (usedDet.has(d)) continue;
      const t = { kind: det.kind, frames: [], appearanceSum: new Float32Array(det.appearance.length) };
      addFrame(t, i, det);
      tracks.push(t);
    }
  });
  const minFrames = Math.max(2, Math.ceil(MIN_TRACK_SHARE * perFrame.length));
  return tracks
    .filter((t) => t.frames.length >= minFrames)
    .map((t, n) => ({ track: n + 1, kind: t.kind, frames: t.frames }));
}

function addFrame(track, i, det) {
  track.frames.push({ i, box: det.box, face: det.face, appearance: det.appearance });
  for (let j = 0; j < det.appearance.length; j++) track.appearanceSum[j] += det.appearance[j];
}
