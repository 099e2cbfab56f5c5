// Pair and retrieval figures for a labelled set of items (the lists are read by identity_data.mjs).

// similarity(i, j) for every pair i < j -> {auc, eer, threshold, top1}.
export function pairFigures(labels, similarity) {
  const n = labels.length;
  const sim = Array.from({ length: n }, () => new Array(n).fill(0));
  const same = [], diff = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      sim[i][j] = sim[j][i] = similarity(i, j);
      (labels[i] === labels[j] ? same : diff).push(sim[i][j]);
    }
  }
  // AUC: probability that a same pair outscores a different pair (ties count half)
  let wins = 0;
  for (const s of same) for (const d of diff) wins += s > d ? 1 : s === d ? 0.5 : 0;
  const auc = same.length && diff.length ? wins / (same.length * diff.length) : NaN;
  // EER: sweep thresholds over every observed score; threshold = where the rates cross
  const candidates = [...new Set([...same, ...diff])].sort((a, b) => a - b);
  let best = { gap: Infinity, eer: NaN, threshold: NaN };
  for (const t of candidates) {
    const frr = same.filter((s) => s < t).length / same.length;
    const far = diff.filter((d) => d >= t).length / diff.length;
    const gap = Math.abs(frr - far);
    if (gap < best.gap) best = { gap, eer: (frr + far) / 2, threshold: t };
  }
  // top-1 leave-one-out: each item with at least one other of its character as a query
  let hits = 0, queries = 0;
  for (let i = 0; i < n; i++) {
    if (!labels.some((l, j) => j !== i && l === labels[i])) continue;
    queries++;
    let top = -1;
    for (let j = 0; j < n; j++) if (j !== i && (top < 0 || sim[i][j] > sim[i][top])) top = j;
    if (labels[top] === labels[i]) hits++;
  }
  return {
    auc,
    eer: best.eer,
    threshold: best.threshold,
    top1: { hits, queries, rate: queries ? hits / queries : NaN },
    same_pairs: same.length,
    different_pairs: diff.length,
  };
}

// The threshold for a false-accept rate of at most `maxFar` over `diff` (scores of different-
// character pairs; a pair is accepted when its score >= threshold): just above the highest
// different-pair score that must be refused, rounded up to 3 decimals.
export function thresholdForFar(diff, maxFar = 0.01) {
  const sorted = [...diff].sort((a, b) => b - a);
  const allowed = Math.floor(maxFar * sorted.length);
  if (allowed >= sorted.length) return -1;
  return Math.ceil((sorted[allowed] + 1e-6) * 1000) / 1000;
}

// Pair figures at a fixed threshold: share of same pairs accepted, false-accept rate, and how
// many of the listed look-alike pairs ([i, j] item indices) are accepted.
export function atThreshold(labels, similarity, threshold, lookAlikes = []) {
  let sameAccepted = 0, same = 0, falseAccepted = 0, diff = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const accepted = similarity(i, j) >= threshold;
      if (labels[i] === labels[j]) same++, sameAccepted += accepted;
      else diff++, falseAccepted += accepted;
    }
  }
  const lookAlikesAccepted = lookAlikes.filter(([i, j]) => similarity(i, j) >= threshold).length;
  return {
    threshold,
    same_accepted: same ? sameAccepted / same : NaN,
    false_accept_rate: diff ? falseAccepted / diff : NaN,
    false_accepts: falseAccepted,
    look_alikes_accepted: lookAlikesAccepted,
    look_alikes: lookAlikes.length,
  };
}

// Scores of every pair i < j split by label: {same: [], diff: []}.
export function pairScores(labels, similarity) {
  const same = [], diff = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) (labels[i] === labels[j] ? same : diff).push(similarity(i, j));
  }
  return { same, diff };
}
