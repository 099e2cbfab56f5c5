// Shared output conventions of the subcommands: one JSON object on stdout with
// --json, readable lines otherwise; rejected input exits with status 2.
import { MediaError } from '../lib/media.mjs';
import { UsageError } from './args.mjs';

export function printJson(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// Turns an error into the command's output and exit code.
export function reportError(err, { json, usage }) {
  if (err instanceof UsageError) {
    process.stderr.write(`charid: ${err.message}\n${usage}`);
    return 1;
  }
  if (err instanceof MediaError) {
    if (json) printJson({ ok: false, error: { code: err.code, message: err.message } });
    else process.stderr.write(`charid: ${err.message} (${err.code})\n`);
    return 2;
  }
  throw err;
}

export function formatSeconds(s) {
  return s === null || s === undefined ? 'unknown' : `${Number(s.toFixed(3))} s`;
}
