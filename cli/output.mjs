// Shared output conventions of the subcommands: one JSON object on stdout with --json, readable
// lines otherwise. Exit status: 0 success; 1 usage mistake, internal error, models missing or the
// registry unreachable (or failing, 5xx); 2 input rejected, by the core or by the registry (4xx).
import { isUsageError } from './args.mjs';

export function printJson(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// One line of JSON Lines output (batch create).
export function printJsonLine(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

const ERROR_CODE = /^[a-z][a-z0-9_]*$/;
// Codes that mean "charid or its surroundings failed", not "this input was refused".
const NOT_REJECTIONS = new Set(['internal_error', 'models_unavailable', 'network_error', 'invalid_config', 'not_logged_in', 'cancelled']);

// The exit status an error stands for; null for an error without a code of ours (a bug).
export function exitStatusOf(err) {
  if (isUsageError(err)) return 1;
  if (typeof err?.code !== 'string' || !ERROR_CODE.test(err.code)) return null;
  if (NOT_REJECTIONS.has(err.code) || err.status >= 500) return 1;
  return 2;
}

// The wire shape of an error in --json output: {code, message, ...details}.
export function errorJson(err) {
  return typeof err.toJSON === 'function' ? err.toJSON() : { code: err.code, message: err.message };
}

// Turns an error into the command's output and exit code; errors that are not ours are rethrown
// (charid.mjs prints them with their stack and exits 1).
export function reportError(err, { json, usage }) {
  const status = exitStatusOf(err);
  if (status === null) throw err;
  if (json) printJson({ ok: false, error: errorJson(err) });
  if (isUsageError(err)) process.stderr.write(`charid: ${err.message}\n${usage}`);
  else if (!json) process.stderr.write(`charid: ${err.message} (${err.code})\n`);
  return status;
}

export function formatSeconds(s) {
  return s === null || s === undefined ? 'unknown' : `${Number(s.toFixed(3))} s`;
}
