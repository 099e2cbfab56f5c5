// charid delete ID [--yes] [--json]: removes one of your characters and its vectors. On a
// terminal it asks first, unless --yes.
import readline from 'node:readline/promises';
import { CharidError } from '../../lib/errors.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';

const USAGE = 'usage: charid delete ID [--yes] [--json]\n' +
  '  --yes: do not ask (it asks only on a terminal)\n' + REGISTRY_USAGE;

async function confirm(question) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const run = command({
  usage: USAGE,
  spec: { ...REGISTRY_FLAGS, yes: 'boolean' },
  positionals: 1,
  missing: 'Give one character ID (char_...).',
  async body(flags, [id]) {
    const { client } = registryClient(flags);
    if (!flags.yes && process.stdin.isTTY && process.stderr.isTTY) {
      const c = await client.getCharacter(id);
      if (!(await confirm(`Delete ${c.name} (${c.id}) from the registry? This cannot be undone. [y/N] `))) {
        throw new CharidError('cancelled', 'Nothing was deleted.');
      }
    }
    await client.deleteCharacter(id);
    if (flags.json) printJson({ ok: true, id, deleted: true });
    else process.stdout.write(`deleted ${id}\n`);
  },
});
