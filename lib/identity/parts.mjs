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

export const V1_RECIPES = [
  { name: 'osnet', model: 'osnet-x0_25-msmt17@1', crop: 'box' },
  { name: 'mobilenetv2_gem', model: 'mobilenetv2-gem@1', crop: 'square' },
  { name: 'face', model: 'face-reid-0095@1', crop: 'face' },
  { name: 'colour', model: 'hsv-histogram@1', crop: 'box' },
];

const COLOUR_SOURCE = 'hsv-histogram@1';
const MASK_MIN_SHARE = 0.05;   // less foreground than this in the subject's square: keep the frame
const MASK_MARGIN = 1.15;      // the segmenter sees the subject's square grown by this factor

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

// A square box around `box` (the square a classifier expects), same centre.
export function squareBox([x, y, w, h], factor = 1) {
  const side = Math.max(w, h) * factor;
  return [x + w / 2 - side / 2, y + h / 2 - side / 2, side, side];
}

function concat(arrays) {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
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
// saw nothing or the frame is not listed). The caller deletes them.
async function subjectOnlyFrames(core, runner, images, boxes, which) {
  const seg = runner.spec('segmenter');
  const spec = tensorSpec(seg);
  const out = new Array(images.length).fill(null);
  for (const i of which) {
    const square = squareBox(boxes[i], MASK_MARGIN);
    const t = core.cropTensor(images[i], square, spec);
    const r = await runner.run('segmenter', t, [1, spec.height, spec.width, 3]);
    out[i] = core.maskFrame(images[i], Object.values(r)[0].data, spec.width, square, MASK_MIN_SHARE);
  }
  return out;
}

// -> {parts: {name: [Float32Array | null per frame]}, masked: number of frames with a mask}
// recipes: the parts to compute; subject: chooseSubject's result for `images`; frameWeights: one
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
      if (recipe.model === COLOUR_SOURCE) {
        const which = framesOf(recipe);
        const values = which.map((i) => core.colourDescriptor(imageFor(i, recipe), subject.boxes[i]));
        parts[recipe.name] = which === all ? values : spreadFromKeyFrames(which, values, n);
        continue;
      }
      const key = runnerKey(runner, recipe.model);
      if (!key) throw new Error(`the models manifest has no served model ${recipe.model} (part ${recipe.name})`);
      const model = runner.spec(key);
      const spec = tensorSpec(model);
      const dims = (count) => [count, 3, spec.height, spec.width];
      if (recipe.crop === 'face') {
        // every frame with a face (faces are few and the face model is small): `frames` is ignored
        const withFace = subject.faces.map((f, i) => (f ? i : -1)).filter((i) => i >= 0);
        const values = new Array(n).fill(null);
        if (withFace.length) {
          const input = concat(withFace.map((i) => core.alignedFaceTensor(images[i], subject.faces[i].landmarks, spec)));
          const out = rows(Object.values(await runner.run(key, input, dims(withFace.length)))[0], withFace.length);
          withFace.forEach((frame, k) => { values[frame] = out[k]; });
        }
        parts[recipe.name] = values;
        continue;
      }
      const crop = (i) => (recipe.crop === 'square' ? squareBox(subject.boxes[i]) : subject.boxes[i]);
      const which = framesOf(recipe);
      const input = concat(which.map((i) => core.cropTensor(imageFor(i, recipe), crop(i), spec)));
      const out = rows(Object.values(await runner.run(key, input, dims(which.length)))[0], which.length);
      parts[recipe.name] = which === all ? out : spreadFromKeyFrames(which, out, n);
    }
    return { parts, masked: masked.filter(Boolean).length };
  } finally {
    for (const m of masked) m?.delete();
  }
}
