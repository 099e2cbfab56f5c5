// What the registry commands take as input: a clip (local path or http(s) URL), embedded here,
// or a saved charid.embedding/1 payload file (written by "charid embed"), sent as it is.
import { embeddingPayloadErrors } from '../lib/schemas/embedding.mjs';
import { describeSchemaErrors } from '../lib/schemas/check.mjs';
import fs from 'node:fs';
import { CharidError } from '../lib/errors.mjs';
import { loadCore } from '../lib/core_module.mjs';
import { publicSource, sample } from '../lib/media.mjs';
import { nodeRunner } from '../lib/identity/node.mjs';
import { embedSample } from '../lib/identity/pipeline.mjs';

const MIN_RELIABLE_SHORT_SIDE = 720;
const FRAMES = 16;

// A local file whose text starts with "{" is a saved payload (null: anything else, a clip).
export function readPayloadFile(input) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) || !fs.existsSync(input) || !fs.statSync(input).isFile()) return null;
  const fd = fs.openSync(input, 'r');
  const head = Buffer.alloc(64);
  const n = fs.readSync(fd, head, 0, 64, 0);
  fs.closeSync(fd);
  if (!head.subarray(0, n).toString('utf8').trimStart().startsWith('{')) return null;
  let payload;
  try {
    payload = JSON.parse(fs.readFileSync(input, 'utf8'));
  } catch (err) {
    throw new CharidError('unreadable_input', `${input} looks like JSON but is not valid: ${err.message}`);
  }
  if (payload?.schema !== 'charid.embedding/1') {
    throw new CharidError('invalid_argument', `${input} is JSON but not a charid.embedding/1 payload (see "charid embed").`);
  }
  const problems = embeddingPayloadErrors(payload); // the schema, docs/schemas/charid.embedding-1.schema.json
  if (problems.length) {
    throw new CharidError('invalid_argument', `${input}: ${describeSchemaErrors('charid.embedding/1 payload', problems)}`);
  }
  return payload;
}

// Embeds a clip -> { payload, frames: [{ t, vector }] }: each sampled frame's timestamp and its
// own identity vector (base64 int8, the registry's per-frame format for verify).
// options: { start, box: [x, y, w, h] normalised, allowLowRes, count (frames, default 16) }
export async function embedClip(input, { start, box = null, allowLowRes = false, count = FRAMES } = {}) {
  const startedAt = performance.now();
  const [core, runner] = await Promise.all([loadCore(), nodeRunner()]);
  const sampled = await sample(input, { start, allowLowRes, count });
  const decodeMs = performance.now() - startedAt;
  const out = await embedSample(core, runner, sampled, {
    box, source: publicSource(sampled.source), decodeMs, startedAt,
  });
  const frames = sampled.frames.map((f, i) => ({ t: f.timestamp, vector: int8Base64(out.frameVectors[i]) }));
  return { payload: out.payload, frames };
}

// A payload from a file, or one made from the clip -> { payload, frames (null for a payload) }.
export async function payloadOf(input, options) {
  const payload = readPayloadFile(input);
  return payload ? { payload, frames: null } : embedClip(input, options);
}

// Checking (match, verify) takes clips under 720p, but says the score is then less reliable.
export function lowResolutionWarning(payload) {
  const s = payload?.source;
  const w = s?.display_width ?? s?.width;
  const h = s?.display_height ?? s?.height;
  if (!(w > 0 && h > 0) || Math.min(w, h) >= MIN_RELIABLE_SHORT_SIDE) return null;
  return `The clip is ${w}x${h}, below 720p: a low resolution makes the score less reliable.`;
}

// Float vector -> base64 of int8 values at scale max|v| / 127. The same rule as the core's
// quantize_int8 (src/identity/identity_vector.cpp; rounding half away from zero), which the wasm
// module does not export on its own; cosine does not depend on the scale, so none is sent.
export function int8Base64(vector) {
  let max = 0;
  for (const x of vector) max = Math.max(max, Math.abs(x));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const r = Math.sign(vector[i]) * Math.round(Math.abs(vector[i]) / scale);
    q[i] = Math.max(-127, Math.min(127, r));
  }
  return Buffer.from(q.buffer).toString('base64');
}

// The calibrated same/different threshold of an embedding model (models/manifest.json), or null.
export async function calibratedThreshold(model) {
  let runner;
  try {
    runner = await nodeRunner();
  } catch (err) {
    throw new CharidError('models_unavailable', `The models manifest cannot be read (run "npm run models"): ${err.message}`);
  }
  return runner.manifest.embeddings?.find((e) => e.model === model)?.threshold ?? null;
}

// A check's input (match, verify): clips below 720p are taken, with a warning on stderr that is
// also returned for the JSON output.
export async function checkInput(input) {
  const got = await payloadOf(input, { allowLowRes: true });
  const warning = lowResolutionWarning(got.payload);
  if (warning) process.stderr.write(`charid: warning: ${warning}\n`);
  return { ...got, warnings: warning ? ['low_resolution'] : [] };
}
