// charid login [--registry URL] [--show-key] [--json]
// Creates an API key (POST /v1/keys) and saves it with the registry's URL in the config file
// (mode 0600). The key is a secret: it is printed only with --show-key.
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { RegistryClient } from '../../lib/registry/client.mjs';
import { configPath, readConfig, resolveAccess, writeConfig } from '../config.mjs';

const USAGE = 'usage: charid login [--registry URL] [--show-key] [--json]\n' +
  '  --registry URL (env CHARID_REGISTRY, default http://127.0.0.1:8787)\n' +
  '  saves the registry and a new key in $XDG_CONFIG_HOME/charid/config.json (~/.config/charid/)\n' +
  '  --show-key: print the new key too (it is never shown otherwise)\n';

export const run = command({
  usage: USAGE,
  spec: { registry: 'string', 'show-key': 'boolean', json: 'boolean' },
  positionals: 0,
  missing: 'login takes no inputs.',
  async body(flags) {
    const { registry } = resolveAccess({ registry: flags.registry });
    const file = configPath();
    const saved = readConfig(file);
    const client = new RegistryClient(registry, {
      keyStore: { get: () => null, set: (key) => writeConfig({ ...saved, registry, key }, file), clear: () => {} },
    });
    const { key, credits } = await client.login();
    const out = { ok: true, registry, config: file, credits };
    if (flags['show-key']) out.key = key;
    if (flags.json) printJson(out);
    else {
      process.stdout.write(`Logged in to ${registry}; the key is saved in ${file} (readable by you only).\n`);
      if (credits !== null && credits !== undefined) process.stdout.write(`Credits: ${credits}\n`);
      if (flags['show-key']) process.stdout.write(`${key}\n`);
    }
  },
});
