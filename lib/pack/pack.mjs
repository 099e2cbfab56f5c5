// A reference pack (charid.pack/1) from the frames the product already sampled: the subject is
// located and embedded once by the identity pipeline (embedSample: boxes, faces and one identity
// vector per frame), then up to four views are chosen and each becomes a crop, a cutout and,
// when a face is seen, an aligned face. Nothing here talks to the registry.
// Shared by the CLI (lib/pack/node.mjs) and the page's Worker (web/src/worker_features.ts): no Node
// APIs; the caller gives the image encoder (pngjs in Node, OffscreenCanvas in the browser).
import { CharidError } from '../errors.mjs';
import { DEFAULT_MODEL, deleteFrames, embedSample, identityFrames } from '../identity/pipeline.mjs';
import { generatorTable } from './generators.mjs';
import { alignedFaceImage, cropImage, cutoutImage } from './images.mjs';
import { assertPack, PACK_SCHEMA } from './schema.mjs';
import { chooseViews, faceSide, viewCrop } from './views.mjs';

const round3 = (v) => Math.round(v * 1000) / 1000;
const round4 = (v) => Math.round(v * 1e4) / 1e4;

function fileEntry(name, role, view, frame, image, encoded, extra = {}) {
  return {
    name, role, view, t: round3(frame.timestamp), width: image.width, height: image.height,
    bytes: encoded.bytes.length, format: encoded.format, ...extra,
  };
}

const EXTENSIONS = { png: 'png', jpeg: 'jpg' };

// sampled: the media core's sample(); options: {box (normalised, first frame), model, id, name,
// source (the probe-contract view of the source), encode}. encode(image {width, height, rgba},
// {alpha, role}) -> {bytes: Uint8Array, format: 'png' | 'jpeg'} (may be async).
// -> {manifest (pack.json as an object), files: [{name, bytes: Uint8Array}]}
export async function makePack(core, runner, sampled, { box = null, model = DEFAULT_MODEL, id, name, source = null, encode } = {}) {
  if (typeof encode !== 'function') throw new CharidError('invalid_argument', 'makePack needs an image encoder (options.encode).');
  const started = performance.now();
  const embedded = await embedSample(core, runner, sampled, { box, model, source });
  const { subject, frameVectors } = embedded;
  const warnings = [...embedded.payload.warnings];
  if (!subject.found) throw new CharidError('no_subject_found', 'No character was found in the sampled frames, so there is nothing to put in a pack.');
  const frames = sampled.frames;
  const chosen = chooseViews(frames, subject, frameVectors);
  warnings.push(...chosen.warnings);

  const files = [];
  const entries = [];
  const add = (entry, encoded) => { entries.push(entry); files.push({ name: entry.name, bytes: encoded.bytes }); };
  const named = (stem, encoded) => `${stem}.${EXTENSIONS[encoded.format]}`;
  let low = false, faceUpscaled = false, noCutout = false;
  // the chosen views' frames as the core's IdentityFrames, deleted together whatever happens
  const images = identityFrames(core, chosen.views.map((i) => frames[i]));
  try {
    for (const [k, i] of chosen.views.entries()) {
      const frame = frames[i];
      const image = images[k];
      const crop = viewCrop(subject.boxes[i], frame.width, frame.height);
      low ||= crop.belowMinimum;
      const [sx, sy, sw, sh] = subject.boxes[i];
      const scale = crop.width / crop.box[2];
      // where the subject is inside the crop, in crop pixels
      const subjectBox = [(sx - crop.box[0]) * scale, (sy - crop.box[1]) * scale, sw * scale, sh * scale].map((v) => Math.round(v));
      const role = k === 0 ? 'front' : 'view';
      const stem = k === 0 ? 'front' : `view${k}`;
      const extra = { subject_box: subjectBox, frame_box: crop.box };
      const picture = cropImage(core, image, crop.box, crop.width, crop.height);
      const pictureBytes = await encode(picture, { alpha: false, role });
      add(fileEntry(named(stem, pictureBytes), role, k, frame, picture, pictureBytes, extra), pictureBytes);
      const cutout = await cutoutImage(core, runner, image, crop.box, crop.width, crop.height);
      if (cutout) {
        const bytes = await encode(cutout, { alpha: true, role: 'cutout' });
        add(fileEntry(named(`${stem}_cutout`, bytes), 'cutout', k, frame, cutout, bytes, extra), bytes);
      } else {
        noCutout = true;
      }
      const face = subject.faces[i];
      if (face?.landmarks) {
        const { side, upscaled } = faceSide(face.landmarks);
        faceUpscaled ||= upscaled;
        const aligned = alignedFaceImage(core, image, face.landmarks, side);
        const bytes = await encode(aligned, { alpha: false, role: 'face' });
        add(fileEntry(named(`${stem}_face`, bytes), 'face', k, frame, aligned, bytes), bytes);
      }
    }
  } finally {
    deleteFrames(images);
  }
  if (low) warnings.push('crop_below_300px');
  if (faceUpscaled) warnings.push('face_below_112px');
  if (noCutout) warnings.push('cutout_without_foreground');

  const w0 = frames[0].width, h0 = frames[0].height;
  const manifest = {
    schema: PACK_SCHEMA,
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    model: embedded.payload.model,
    subject: { kind: subject.kind, box: subject.boxes[chosen.views[0]].map((v, j) => round4(v / (j % 2 ? h0 : w0))) },
    source: { width: w0, height: h0, window: embedded.payload.window },
    files: entries,
    generators: generatorTable(entries),
    warnings: [...new Set(warnings)],
    timings_ms: { embed: Math.round(embedded.timings.total), total: Math.round(performance.now() - started) },
  };
  assertPack(manifest);
  return { manifest, files };
}
