// Command-line arguments through node:util parseArgs, strict: unknown flags, missing values and
// values that are not numbers are usage errors in plain words, never silently ignored.
import { parseArgs as parseNodeArgs } from 'node:util';
import { CharidError } from '../lib/errors.mjs';

// A mistake in how the command was called: exit status 1 and the command's usage text.
export const usageError = (message) => new CharidError('usage', message);
export const isUsageError = (err) => err instanceof CharidError && err.code === 'usage';

// spec: { flagName: 'boolean' | 'number' | 'string' } -> { flags, positional }
export function parseArgs(argv, spec) {
  const options = {};
  for (const [name, type] of Object.entries(spec)) {
    options[name] = { type: type === 'boolean' ? 'boolean' : 'string' };
  }
  let parsed;
  try {
    parsed = parseNodeArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(plainMessage(err, spec));
  }
  const flags = { ...parsed.values };
  for (const [name, type] of Object.entries(spec)) {
    if (type !== 'number' || flags[name] === undefined) continue;
    const n = Number(flags[name]);
    if (flags[name].trim() === '' || !Number.isFinite(n)) {
      throw usageError(`--${name} must be a number, not "${flags[name]}".`);
    }
    flags[name] = n;
  }
  return { flags, positional: parsed.positionals };
}

// parseArgs's messages name its own internals; ours say what to type instead.
function plainMessage(err, spec) {
  const flag = /'(-{1,2}[^' <]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${flag}.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = flag.replace(/^-+/, '');
      if (spec[name] === 'boolean') return `--${name} takes no value.`;
      if (/ambiguous/.test(err.message)) return `--${name} needs a value; write --${name}=VALUE for one that starts with a dash.`;
      return `--${name} needs a value.`;
    }
    default:
      return err.message;
  }
}
