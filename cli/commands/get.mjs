// charid get ID [--json]: a character's metadata (yours, or an unlisted or public one).
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryClient } from '../registry_access.mjs';

const USAGE = 'usage: charid get ID [--json]\n' + REGISTRY_USAGE;

// One readable line per character (list and get).
export function characterLine(c) {
  const models = Array.isArray(c.models) ? c.models.join(',') : c.model;
  const consent = c.consent?.basis ? `  consent ${c.consent.basis}` : '';
  return `${c.id}  ${c.name}  ${c.visibility}  ${models}  ${c.created_at}${consent}`;
}

export const run = command({
  usage: USAGE,
  spec: REGISTRY_FLAGS,
  positionals: 1,
  missing: 'Give one character ID (char_...).',
  async body(flags, [id]) {
    const { client } = registryClient(flags);
    const character = await client.getCharacter(id);
    if (flags.json) printJson(character);
    else process.stdout.write(`${characterLine(character)}\n`);
  },
});
