// charid list [--limit N] [--all] [--json]: your characters, newest first.
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';
import { characterLine } from './get.mjs';

const USAGE = 'usage: charid list [--limit N] [--all] [--json]\n' +
  '  --limit N: at most N (1..100, default 20); --all: every one, page after page\n' + REGISTRY_USAGE;

export const run = command({
  usage: USAGE,
  spec: { ...REGISTRY_FLAGS, limit: 'number', all: 'boolean' },
  positionals: 0,
  missing: 'list takes no inputs.',
  async body(flags) {
    if (flags.limit !== undefined && !(Number.isInteger(flags.limit) && flags.limit >= 1 && flags.limit <= 100)) {
      throw usageError('--limit must be a whole number from 1 to 100.');
    }
    if (flags.all && flags.limit !== undefined) throw usageError('--all lists every character; drop --limit.');
    const { client } = registryClient(flags);
    const page = flags.all
      ? { data: await client.listAllCharacters(), has_more: false }
      : await client.listCharacters({ limit: flags.limit ?? 20 });
    if (flags.json) {
      printJson(page);
      return;
    }
    for (const c of page.data) process.stdout.write(`${characterLine(c)}\n`);
    if (!page.data.length) process.stdout.write('No characters yet.\n');
    if (page.has_more) process.stdout.write('(more: --limit N up to 100, or --all)\n');
  },
});
