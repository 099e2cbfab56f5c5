#!/usr/bin/env node
// charid: create and check character IDs from short videos, locally.
// Each subcommand lives in commands/<name>.mjs and exports run(argv) -> exit code.
// Exit codes: 0 success; 1 usage or internal error, or the registry unreachable; 2 input
// rejected (by the core or by the registry).
import fs from 'node:fs';

const COMMANDS = {
  probe: 'what a video is and which 4 s window would be used',
  frames: 'write the sampled frames as PNG files',
  embed: 'compute the identity vector (charid.embedding/1) of a clip',
  compare: 'similarity of two clips or saved payloads, with a verdict',
  login: 'create an API key on the registry and save it',
  create: 'register a character (one clip or payload, or a batch)',
  list: 'your characters on the registry',
  get: 'one character\'s metadata',
  delete: 'delete one of your characters',
  match: 'the registered characters most like a clip',
  verify: 'is this clip still the character? (--timeline: frame by frame)',
  pack: 'write a reference pack of the character for video generators',
  cast: 'who is in this clip, and where (several characters)',
};

function usage() {
  const lines = Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(8)} ${what}`);
  return `usage: charid <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "charid <command> --help" for a command's options.\n`;
}

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    process.stderr.write(`charid: unknown command "${name}".\n\n${usage()}`);
    return 1;
  }
  const file = new URL(`./commands/${name}.mjs`, import.meta.url);
  if (!fs.existsSync(file)) {
    process.stderr.write(`charid: "${name}" is not available in this build.\n`);
    return 1;
  }
  const { run } = await import(file.href);
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`charid: ${err?.stack || err}\n`);
    process.exitCode = 1;
  },
);
