// Property tests of the wasm module's media API (probe, sample) under Node:
// random and adversarial options, readers, callbacks, truncated, mutated and
// random bytes. Every call must answer with a value or a typed error, and the
// module must keep working for the next call.
//
// Bounded for `npm test` (about 40 s); CHARID_FUZZ_RUNS=N runs N cases per
// property without the time limit. A failing case printed here becomes a plain
// test in media_api_regressions.test.mjs.
import { test, before } from 'node:test';
import fc from 'fast-check';
import { loadCore } from '../../lib/core_module.mjs';
import { SMALL_FILES, assertAnswer, assertStillWorks, memoryReader } from './media_inputs.mjs';

const LONG_RUNS = Number(process.env.CHARID_FUZZ_RUNS || 0);
// The failing assertion (which call, what it answered) goes into the report.
const settings = (runs, seconds) => (LONG_RUNS > 0
  ? { numRuns: LONG_RUNS, includeErrorInReport: true }
  : { numRuns: runs, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, includeErrorInReport: true });

let core;
before(async () => { core = await loadCore(); });

const odd = fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, -1e308, 0.5);
const numberish = fc.oneof(fc.double(), fc.integer({ min: -10, max: 100 }), odd, fc.string({ maxLength: 4 }),
  fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 }));
const boolish = fc.oneof(fc.boolean(), fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }));

// Options as a caller might pass them: well typed with edge values (most
// runs, so decoding is really exercised), mistyped, or not options at all.
const someNumber = (usual) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });
const typedOptions = fc.record({
  start: someNumber(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 40, noNaN: true }))),
  duration: someNumber(fc.double({ min: 0.05, max: 6, noNaN: true })),
  count: someNumber(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 32 }) }, fc.integer({ min: -2, max: 300 }))),
  maxShortSide: someNumber(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 16, max: 256 }) }, fc.integer({ min: 0, max: 5000 }))),
  allowLowRes: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  skipNonRef: fc.boolean(),
}, { requiredKeys: [] });
const mistypedOptions = fc.record({
  start: numberish, duration: numberish, count: numberish, maxShortSide: numberish,
  allowLowRes: boolish, skipNonRef: boolish,
}, { requiredKeys: [] });
const options = fc.oneof(
  { weight: 6, arbitrary: typedOptions },
  { weight: 1, arbitrary: mistypedOptions },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);

// Bytes: a real file, cut short, with bytes changed, or random.
const bytes = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SMALL_FILES).map((f) => f.bytes) },
  fc.tuple(fc.constantFrom(...SMALL_FILES), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([f, at]) => f.bytes.subarray(0, Math.floor(f.bytes.length * at))),
  fc.tuple(fc.constantFrom(...SMALL_FILES), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 40 }))
    .map(([f, edits]) => {
      const copy = f.bytes.slice();
      for (const [at, value] of edits) copy[at % copy.length] = value;
      return copy;
    }),
  fc.uint8Array({ maxLength: 2048 }),
);

// Readers: honest, lying about the size, answering nonsense, throwing, or not a reader at all.
const reader = fc.tuple(bytes, fc.nat(9), fc.oneof(numberish, fc.nat())).map(([b, kind, extra]) => {
  switch (kind) {
    case 3: return memoryReader(b, extra);  // size that may be a lie or not a number
    case 4: return { size: b.length, readInto: (o, view) => (o > b.length / 2 ? extra : memoryReader(b).readInto(o, view)) };
    case 5: return { size: b.length, readInto: (o, view) => { if (o > b.length / 3) throw new Error('disk gone'); return memoryReader(b).readInto(o, view); } };
    case 6: return [null, undefined, 42, 'file.mp4', {}, { size: b.length }, { size: b.length, readInto: 3 }][Number(extra) % 7 || 0];
    default: return memoryReader(b);
  }
});

const progress = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(undefined, null, () => {}) },
  { weight: 1, arbitrary: fc.constantFrom('progress', 7, (done) => { if (done > 1) throw new Error('stop'); }) },
);

const describe = (v) => {
  try {
    return JSON.stringify(v, (k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : typeof x === 'function' ? String(x) : x));
  } catch { return String(v); }
};

test('probe answers every reader and options with a value or a typed error', () => {
  fc.assert(fc.property(reader, options, (r, o) => {
    const what = `probe(${describe(r)}, ${describe(o)})`;
    assertAnswer(core.probe(r, o), what);
    assertStillWorks(core);
  }), settings(1000, 12));
});

test('sample answers every reader, options and callback with a value or a typed error', () => {
  fc.assert(fc.property(reader, options, progress, (r, o, p) => {
    // Keep each run cheap unless the case is about the size itself.
    const opts = o && typeof o === 'object' && !Array.isArray(o) ? { maxShortSide: 96, count: 4, ...o } : o;
    const what = `sample(${describe(r)}, ${describe(opts)}, ${describe(p)})`;
    assertAnswer(core.sample(r, opts, p), what);
    assertStillWorks(core);
  }), settings(800, 28));
});
