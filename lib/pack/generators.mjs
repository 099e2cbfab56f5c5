// The `generators` table of a pack: for each generator of lib/pack/generator_rules.json (the one
// home of the vendors' rules), which of the pack's files to send and whether every documented
// constraint holds for them, naming each one that fails. Computed from the files' own figures
// (format, pixel size, bytes), never assumed.
import rulesFile from './generator_rules.json' with { type: 'json' };

export const GENERATOR_RULES = rulesFile.generators;

const MB = 1024 * 1024;
const shortSide = (f) => Math.min(f.width, f.height);
const ratio = (f) => f.width / f.height;
const fmt = (x) => Number(x.toFixed(3));

// Each rule kind: (rule, file, filesSent) -> null when it holds, else what is wrong.
const CHECKS = {
  format: (r, f) => (r.allowed.includes(f.format) ? null : `${f.name} is ${f.format}, not ${r.allowed.join(' or ')}`),
  max_bytes: (r, f) => (f.bytes <= r.value ? null : `${f.name} is ${fmt(f.bytes / MB)} MB, more than ${fmt(r.value / MB)} MB`),
  below_bytes: (r, f) => (f.bytes < r.value ? null : `${f.name} is ${fmt(f.bytes / MB)} MB, not under ${fmt(r.value / MB)} MB`),
  min_short_side: (r, f) => (shortSide(f) >= r.value ? null : `${f.name} is ${f.width}x${f.height}, short side under ${r.value} px`),
  short_side_over: (r, f) => (shortSide(f) > r.value ? null : `${f.name} is ${f.width}x${f.height}, short side not over ${r.value} px`),
  aspect_between: (r, f) => (ratio(f) >= r.min && ratio(f) <= r.max
    ? null
    : `${f.name} has aspect ratio ${Number(ratio(f).toFixed(4))} (${f.width}x${f.height}), outside ${r.min}..${r.max}`),
};
// Rules about the whole request rather than one file.
const REQUEST_CHECKS = {
  // A pack holds one subject.
  max_subjects: (r) => (1 <= r.value ? null : `one subject is more than the ${r.value} allowed`),
};

// files: the pack's file entries ({name, role, view, width, height, bytes, format}), views in
// order (front first). -> {name: {files: [names], ok, failures: [{rule, message, source}]}}
export function generatorTable(files, rules = GENERATOR_RULES) {
  const table = {};
  for (const [name, g] of Object.entries(rules)) {
    const failures = [];
    const send = [];
    for (const want of g.send) {
      const have = files.filter((f) => f.role === want.role);
      const chosen = have.slice(0, want.max);
      if (chosen.length < want.min) {
        failures.push({
          rule: 'count',
          message: `needs ${want.min === want.max ? want.min : `${want.min} to ${want.max}`} ${want.role} image(s), the pack has ${have.length}`,
          source: want.source,
        });
      }
      send.push(...chosen);
    }
    for (const c of g.constraints) {
      const request = REQUEST_CHECKS[c.rule];
      const check = CHECKS[c.rule];
      if (!request && !check) throw new Error(`generator_rules.json: unknown rule "${c.rule}" for ${name}`);
      const problems = request ? [request(c)] : send.map((f) => check(c, f));
      for (const message of problems.filter(Boolean)) failures.push({ rule: c.rule, message, source: c.source });
    }
    table[name] = { title: g.title, files: send.map((f) => f.name), ok: failures.length === 0, failures };
  }
  return table;
}
