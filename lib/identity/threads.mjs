// The wasm thread count of ONNX Runtime Web, picked by measurement on the machine the page runs
// on. ORT fixes its thread pool when its wasm module starts (env.wasm.numThreads, one pool for
// every session), so each candidate count is timed in a fresh ORT instance (the caller's probe,
// a short-lived Worker in the page) on a warm run of one model, one candidate after another; the
// fastest is stored and reused (keyed by user agent and core count), so it is measured once.
// Threads need cross-origin isolation; without it, or with one core, the answer is 1 unmeasured.

// The counts worth timing: 1, half the cores, all of them (at most 8: the identity networks are
// small and ORT's pool does not scale past that on them).
export function threadCandidates({ isolated, cores }) {
  if (!isolated || !(cores > 1)) return [1];
  const top = Math.min(8, cores);
  return [...new Set([1, Math.max(1, Math.round(top / 2)), top])];
}

const MARGIN = 1.2;

// probe(threads) -> Promise<ms> of a warm run; store {get,set} or null.
// -> { threads, measured, times_ms, reason? }. A probe that fails drops that candidate; when none
// can be timed the answer is `fallback` (the caller's count when measuring is impossible).
export async function chooseThreads({ probe, store = null, isolated, cores, agent = globalThis.navigator?.userAgent ?? 'node', fallback = 1 }) {
  const candidates = threadCandidates({ isolated, cores });
  if (candidates.length === 1) return { threads: 1, measured: false, times_ms: {} };
  const key = `threads|${agent}|${cores}`;
  const stored = await store?.get(key).catch(() => null);
  if (stored && candidates.includes(stored.threads)) return { threads: stored.threads, measured: false, times_ms: stored.times_ms };
  const times = {};
  let lastError = null;
  for (const n of candidates) {
    try {
      times[n] = await probe(n);
    } catch (err) {
      lastError = err;
    }
  }
  const timed = Object.keys(times).map(Number);
  if (!timed.length) {
    return { threads: Math.min(fallback, Math.max(...candidates)), measured: false, times_ms: {}, reason: String(lastError?.message ?? lastError) };
  }
  // More threads only when clearly faster (MARGIN): the probe times ORT alone, while in the
  // pipeline its threads share the cores with the decoder and the page. On this 2-core machine,
  // busy, the probe's 2 threads were within a few % of 1, and the 2 threads it then picked made
  // choose -> ID 1.0-2.2x slower than 1 thread (docs/BENCHMARKS.md, "Choose -> ID in Chromium").
  const threads = timed.sort((a, b) => a - b).reduce((best, n) => (times[n] * MARGIN < times[best] ? n : best), timed[0]);
  await store?.set(key, { threads, times_ms: times, at: Date.now() }).catch(() => {});
  return { threads, measured: true, times_ms: times };
}
