// The "Identity" section of docs/BENCHMARKS.md from the report of bench/identity.mjs.
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');

function targetLine(model, all, t) {
  const checks = [
    [`AUC >= ${t.auc}`, all.auc >= t.auc, f3(all.auc)],
    [`top-1 >= ${t.top1}`, all.top1.rate >= t.top1, f3(all.top1.rate)],
    [`>= ${pct(t.same_accepted)} same pairs accepted`, all.at.same_accepted >= t.same_accepted, pct(all.at.same_accepted)],
    [`FAR <= ${pct(t.far)}`, all.at.false_accept_rate <= t.far, pct(all.at.false_accept_rate)],
    [`<= ${t.look_alikes} look-alike accepted`, all.at.look_alikes_accepted <= t.look_alikes, String(all.at.look_alikes_accepted)],
  ];
  return `- ${model}: ${checks.map(([name, ok, v]) => `${name} ${ok ? 'met' : 'NOT met'} (${v})`).join('; ')}.`;
}

export function identitySection(report) {
  const lines = [];
  const groups = Object.keys(report.sets);
  lines.push(`Written by \`npm run bench:identity -- --write\` on ${new Date().toISOString().slice(0, 10)}: ${report.clips} clips of ${report.characters} characters (${groups.map((g) => `${g} ${report.sets[g]}`).join(', ')}) through the real pipeline, ${report.look_alike_pairs} listed look-alike pairs (clips2/hard_negatives.tsv). Cuts: \`bench/identity_cuts.tsv\`. A pair is scored as \`charid compare\` scores it (int8 payload vectors, the model's similarity rule); "accepted" = score >= the model's threshold in the manifest. How the vectors are made: [IDENTITY.md](IDENTITY.md).`);
  lines.push('');
  lines.push('| model | set | clips | same / diff pairs | pair AUC | EER | top-1 leave-one-out | threshold | same accepted | false-accept rate | look-alikes accepted |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [model, m] of Object.entries(report.models)) {
    for (const g of groups) {
      const x = m.groups[g];
      lines.push(`| ${model} | ${g} | ${report.sets[g]} | ${x.same_pairs} / ${x.different_pairs} | ${f3(x.auc)} | ${f3(x.eer)} | ${x.top1.hits}/${x.top1.queries} (${f3(x.top1.rate)}) | ${f3(m.threshold)} | ${pct(x.at.same_accepted)} | ${pct(x.at.false_accept_rate)} (${x.at.false_accepts}) | ${x.at.look_alikes_accepted}/${x.at.look_alikes} |`);
    }
  }
  lines.push('');
  lines.push(`EER-point thresholds over all clips: ${Object.entries(report.models).map(([m, x]) => `${m} ${f3(x.groups.all.threshold)}`).join(', ')}. Threshold for a false-accept rate <= 1% over all clips: ${Object.entries(report.models).map(([m, x]) => `${m} ${f3(x.far1_threshold)}`).join(', ')}.`);
  lines.push('');
  lines.push('Targets over all clips (clips + clips2 + cuts):');
  for (const [model, m] of Object.entries(report.models)) lines.push(targetLine(model, m.groups.all, report.targets));
  lines.push('');
  lines.push('Each part on its own (clip vector = mean of its L2-normalised frame values; cosine). The face part counts only clips with a face in at least half of the frames, so its AUC is over the pairs where both clips show a face:');
  lines.push('');
  lines.push(`| part | ${groups.map((g) => `${g} AUC (clips)`).join(' | ')} |`);
  lines.push(`| --- | ${groups.map(() => '---:').join(' | ')} |`);
  for (const [name, p] of Object.entries(report.parts)) {
    lines.push(`| ${name} | ${groups.map((g) => `${f3(p[g].auc)} (${p[g].clips})`).join(' | ')} |`);
  }
  if (report.speed_1080p) {
    lines.push('');
    lines.push(`Per stage of one 4 s 1080p H.264 window (Vanilagy__mediabunny/video.mp4, 16 samples), Node, onnxruntime-web wasm, 1 thread, sessions created, median of 3 interleaved runs on a shared 2-core machine (1-minute load average ${report.load_before_speed.toFixed(1)} before, ${report.load_after_speed.toFixed(1)} after: with other work running, read the ratio of the two models rather than the absolute times):`);
    lines.push('');
    lines.push('| model | decode ms | detect ms | embed ms | total ms |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    for (const [model, t] of Object.entries(report.speed_1080p)) lines.push(`| ${model} | ${t.decode} | ${t.detect} | ${t.embed} | ${t.total} |`);
  }
  lines.push('');
  lines.push(`Model download for the page: ${(report.model_download_bytes / 1e6).toFixed(2)} MB (target at most 20 MB).`);
  return lines.join('\n');
}
