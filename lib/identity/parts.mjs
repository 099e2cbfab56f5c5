// The part embeddings of each sampled frame: what the networks and the colour descriptor say about
// the subject, before fusion. An embedding model's manifest entry lists its parts as recipes:
//   {name, model: "<model id>@<version>" | "hsv-histogram@1", crop: "box" | "square" | "face",
//    subject_only: true | false}
// `subject_only` computes the part on the subject's own pixels: the frame with everything the
// segmenter calls background filled with a neutral colour (and the colour histogram taken inside
// that mask only), so the set behind a character does not count as its appearance.
// `frames: "key"` computes the part on the clip's key frames only (keyFrames below: the sharper
// frame of each pair of neighbours, half the frames); every other frame takes the value of its
// nearest key frame. The costly networks (person-reid-0277, MobileNetV2-GeM, and the segmenter
// for their subject-only frames) then run on half the frames for the same identity figures
// (docs/IDENTITY.md: the speed table and the key-frame figures).
// charid-id@1 has no recipes in the manifest; V1_RECIPES below is its fixed layout.
// Each stage is one core call over all the frames it needs (crops, squares, masks and the
// segmenter's margin are the core's: src/identity/pipeline_policy.h).
import { CharidError } from '../errors.mjs';

// Kept for callers that test `instanceof IdentityError`; it is a CharidError (branch on `code`).
export class IdentityError extends CharidError {}

// A core call's result, or its error value thrown as an IdentityError.
export function unwrap(result, what) {
  if (result && result.ok === false) throw new IdentityError(result.error.code, `${what}: ${result.error.message}`);
  return result;
}

export const V1_RECIPES = [
  { name: 'osnet', model: 'osnet-x0_25-msmt17@1', crop: 'box' },
  { name: 'mobilenetv2_gem', model: 'mobilenetv2-gem@1', crop: 'square' },
  { name: 'face', model: 'face-reid-0095@1', crop: 'face' },
  { name: 'colour', model: 'hsv-histogram@1', crop: 'box' },
];

const COLOUR_SOURCE = 'hsv-histogram@1';

// The manifest's input description as the core's tensor spec, with an optional size override.
export function tensorSpec(model, size = {}) {
  const i = model.input;
  const nchw = i.layout !== 'NHWC';
  const [h, w] = nchw ? i.shape.slice(2, 4) : i.shape.slice(1, 3);
  return {
    width: size.width ?? w,
    height: size.height ?? h,
    layout: i.layout,
    colour: i.colour,
    scale: i.scale,
    mean: i.mean,
    std: i.std,
    pad: i.pad_value ?? 0,
  };
}

// Rows of a [N, D, ...] output as N Float32Arrays.
function rows(output, n) {
  const d = output.data.length / n;
  return Array.from({ length: n }, (_, i) => output.data.slice(i * d, (i + 1) * d));
}

// The runner key of a model given as "<id>@<version>" (its role for the face embedder, its id
// for the appearance embedders, as runner.mjs keys them).
function runnerKey(runner, model) {
  const m = runner.manifest.models.find((x) => `${x.id}@${x.version}` === model && x.serve);
  if (!m) return null;
  return m.role === 'appearance_embedder' ? m.id : m.role;
}

// The key frames of a clip: of each pair of neighbouring frames (0-1, 2-3, ...) the one with the
// higher weight (frame weights grow with sharpness; the earlier on a tie). -> sorted indices.
export function keyFrames(frameWeights) {
  const out = [];
  for (let i = 0; i < frameWeights.length; i += 2) {
    out.push(i + 1 < frameWeights.length && frameWeights[i + 1] > frameWeights[i] ? i + 1 : i);
  }
  return out;
}

// One value per frame from values computed on the key frames only (values[k] belongs to
// keys[k]): each frame takes its nearest key frame's value (the earlier one on a tie).
export function spreadFromKeyFrames(keys, values, n) {
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let k = 1; k < keys.length; k++) if (Math.abs(keys[k] - i) < Math.abs(keys[best] - i)) best = k;
    return values[best];
  });
}

// Subject-only copies of the frames listed in `which` (IdentityFrame, or null where the segmenter
// saw too little or the frame is not listed). The caller deletes them.
async function subjectOnlyFrames(core, runner, images, boxes, which) {
  const out = new Array(images.length).fill(null);
  if (!which.length) return out;
  const spec = tensorSpec(runner.spec('segmenter'));
  const pick = which.map((i) => images[i]);
  const t = unwrap(core.subjectMaskTensors(pick, which.map((i) => boxes[i]), spec), 'preparing the subject masks');
  const logits = [];
  for (const tensor of t.tensors) logits.push(Object.values(await runner.run('segmenter', tensor, t.dims))[0]);
  const masked = unwrap(core.maskFrames(pick, logits, t.squares, spec.width), 'masking the subject').frames;
  which.forEach((i, k) => { out[i] = masked[k]; });
  return out;
}

// -> {parts: {name: [Float32Array | null per frame]}, masked: number of frames with a mask}
// recipes: the parts to compute; subject: locateSubject's result for `images`; frameWeights: one
// per frame (sharpnessWeights), which choose the key frames of `frames: "key"` recipes (without
// them every frame weighs the same and the key frames are the even ones).
export async function frameParts(core, runner, images, subject, recipes, frameWeights = images.map(() => 1)) {
  const n = images.length;
  const all = images.map((_, i) => i);
  const keys = keyFrames(frameWeights);
  const framesOf = (recipe) => (recipe.frames === 'key' ? keys : all);
  // the segmenter runs only on the frames some subject-only recipe needs
  const maskFrames = [...new Set(recipes.filter((r) => r.subject_only).flatMap(framesOf))].sort((a, b) => a - b);
  const masked = await subjectOnlyFrames(core, runner, images, subject.boxes, maskFrames);
  try {
    const imageFor = (i, recipe) => (recipe.subject_only && masked[i]) || images[i];
    const parts = {};
    for (const recipe of recipes) {
      const which = framesOf(recipe);
      const spread = (values) => (which === all ? values : spreadFromKeyFrames(which, values, n));
      if (recipe.model === COLOUR_SOURCE) {
        const r = unwrap(core.colourDescriptors(which.map((i) => imageFor(i, recipe)), which.map((i) => subject.boxes[i])), 'the colour part');
        parts[recipe.name] = spread(r.values);
        continue;
      }
      const key = runnerKey(runner, recipe.model);
      if (!key) throw new IdentityError('models_unavailable', `the models manifest has no served model ${recipe.model} (part ${recipe.name})`);
      const spec = tensorSpec(runner.spec(key));
      if (recipe.crop === 'face') {
        // every frame with a face (faces are few and the face model is small): `frames` is ignored
        const withFace = subject.faces.map((f, i) => (f ? i : -1)).filter((i) => i >= 0);
        const values = new Array(n).fill(null);
        if (withFace.length) {
          const t = unwrap(core.alignedFaceTensors(withFace.map((i) => images[i]), withFace.map((i) => subject.faces[i].landmarks), spec), 'the face part');
          const out = rows(Object.values(await runner.run(key, t.tensor, t.dims))[0], withFace.length);
          withFace.forEach((frame, k) => { values[frame] = out[k]; });
        }
        parts[recipe.name] = values;
        continue;
      }
      const crop = recipe.crop === 'square' ? 'square' : 'box';
      const t = unwrap(core.cropTensors(which.map((i) => imageFor(i, recipe)), which.map((i) => subject.boxes[i]), spec, crop), `the ${recipe.name} part`);
      parts[recipe.name] = spread(rows(Object.values(await runner.run(key, t.tensor, t.dims))[0], which.length));
    }
    return { parts, masked: masked.filter(Boolean).length };
  } finally {
    for (const m of masked) m?.delete();
  }
}
