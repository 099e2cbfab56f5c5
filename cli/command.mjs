// What every subcommand does around its own work: parse and check the arguments, answer --help,
// and turn errors into output and an exit code.
import { parseArgs, usageError } from './args.mjs';
import { reportError } from './output.mjs';

// usage: the help text; spec: the flags (see args.mjs; --help is added); positionals: how many
// inputs, a number or [min, max], with `missing` saying what to give when the count is wrong;
// json: 'flag' (errors as JSON with --json) or 'always'; body(flags, positional) -> exit code
// (0 when it returns nothing).
export function command({ usage, spec, positionals, missing, json = 'flag', body }) {
  const [min, max] = Array.isArray(positionals) ? positionals : [positionals, positionals];
  return async function run(argv) {
    const jsonErrors = () => json === 'always' || argv.includes('--json');
    try {
      const { flags, positional } = parseArgs(argv, { ...spec, help: 'boolean' });
      if (flags.help) {
        process.stdout.write(usage);
        return 0;
      }
      if (positional.length < min || positional.length > max) throw usageError(missing);
      return (await body(flags, positional)) ?? 0;
    } catch (err) {
      return reportError(err, { json: jsonErrors(), usage });
    }
  };
}
