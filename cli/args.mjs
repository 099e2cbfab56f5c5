// A small, strict argument parser: unknown flags and missing values are
// errors in plain words, never silently ignored.
export class UsageError extends Error {}

// spec: { flagName: 'boolean' | 'number' | 'string' }
export function parseArgs(argv, spec) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const type = spec[name];
    if (!type) throw new UsageError(`Unknown option --${name}.`);
    if (type === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`);
    if (type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${value}".`);
      flags[name] = n;
    } else {
      flags[name] = value;
    }
  }
  return { flags, positional };
}
