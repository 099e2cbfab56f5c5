// The media core for Node callers (the CLI, tests, benchmarks): probe a video
// and sample frames from a local path or an http(s) URL, through the same
// wasm module the browser runs.
import { loadCore } from './core_module.mjs';
import { MediaError } from './media_error.mjs';
import { openFileReader } from './readers/file_reader.mjs';
import { openHttpReader } from './readers/http_reader.mjs';

export { MediaError };

export function openReader(input) {
  if (/^https?:\/\//i.test(input)) return openHttpReader(input);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw new MediaError('unreadable_input', `Only local files and http(s) URLs can be read, not ${input}.`);
  }
  return openFileReader(input);
}

// Options: { start, duration, allowLowRes } and for sample also
// { count, maxShortSide, skipNonRef }. Numbers in seconds and pixels.
function coreOptions(options = {}) {
  const out = {};
  for (const key of ['start', 'duration', 'count', 'maxShortSide']) {
    if (options[key] !== undefined) out[key] = Number(options[key]);
  }
  for (const key of ['allowLowRes', 'skipNonRef']) {
    if (options[key] !== undefined) out[key] = Boolean(options[key]);
  }
  return out;
}

async function withReader(input, fn) {
  const core = await loadCore();
  const reader = openReader(input);
  try {
    const result = fn(core, reader);
    if (!result.ok) throw new MediaError(result.error.code, result.error.message);
    return result;
  } finally {
    reader.close();
  }
}

// -> { ok, source, window, warnings }; throws MediaError on a rejected input.
export function probe(input, options) {
  return withReader(input, (core, reader) => core.probe(reader, coreOptions(options)));
}

// -> { ok, source, window, frames: [{ index, timestamp, width, height, rgb, quality }],
//      quality, warnings, decode_errors, frames_decoded }; throws MediaError.
export function sample(input, options, onProgress) {
  return withReader(input, (core, reader) =>
    core.sample(reader, coreOptions(options), onProgress ?? null));
}

// The fields of `source` that are part of the public probe contract.
export function publicSource(source) {
  const { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio } = source;
  return { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio };
}
