// The media API (probe a video, sample frames from its window) through the charid wasm core,
// for Node callers (the CLI, tests, benchmarks) and for the page's Worker alike.
//
// `input` is a local path or an http(s) URL (Node), or an opened reader ({size, readInto, close},
// e.g. lib/readers/blob_reader.mjs's in a Worker). The reader is always closed afterwards.
import { loadCore } from './core_module.mjs';
import { MediaError } from './media_error.mjs';

export { MediaError };

const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
// Node's readers use node:fs and worker_threads; a variable specifier keeps bundlers (the page's
// Worker build) from following them.
const nodeOnly = (specifier) => import(/* @vite-ignore */ specifier);
const nodeReaders = inNode
  ? {
      ...(await nodeOnly('./readers/file_reader.mjs')),
      ...(await nodeOnly('./readers/http_reader.mjs')),
    }
  : null;

const isReader = (v) => !!v && typeof v === 'object' && typeof v.readInto === 'function';

export function openReader(input) {
  if (isReader(input)) return input;
  if (typeof input !== 'string' || !input) {
    throw new MediaError('invalid_argument', 'The input must be a file path, an http(s) URL or an opened reader.');
  }
  if (!nodeReaders) throw new MediaError('invalid_argument', 'Paths and URLs are read in Node only; in a browser pass a reader.');
  if (/^https?:\/\//i.test(input)) return nodeReaders.openHttpReader(input);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw new MediaError('unreadable_input', `Only local files and http(s) URLs can be read, not ${input}.`);
  }
  return nodeReaders.openFileReader(input);
}

// Options: { start, duration, allowLowRes } and for sample also
// { count, maxShortSide, skipNonRef }. Numbers in seconds and pixels.
function coreOptions(options = {}) {
  const out = {};
  for (const key of ['start', 'duration', 'count', 'maxShortSide']) {
    if (options[key] === undefined || options[key] === null) continue;
    const n = Number(options[key]);
    if (!Number.isFinite(n)) throw new MediaError('invalid_argument', `The option ${key} must be a number, not ${options[key]}.`);
    out[key] = n;
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
// onProgress(done, total) is called as frames are decoded.
export function sample(input, options, onProgress) {
  return withReader(input, (core, reader) =>
    core.sample(reader, coreOptions(options), onProgress ?? null));
}

// The fields of `source` that are part of the public probe contract.
export function publicSource(source) {
  const { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio } = source;
  return { container, codec, width, height, display_width, display_height, rotation, duration, fps, bytes, has_audio };
}
