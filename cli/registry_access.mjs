// The registry client of a CLI command, configured from --registry / --key, the environment
// and the saved config (config.mjs). Commands that talk to the registry share these flags.
import { RegistryClient } from '../lib/registry/client.mjs';
import { CharidError } from '../lib/errors.mjs';
import { resolveAccess } from './config.mjs';

export const REGISTRY_FLAGS = { registry: 'string', key: 'string', json: 'boolean' };
export const REGISTRY_USAGE = '  --registry URL (env CHARID_REGISTRY, default http://127.0.0.1:8787)\n' +
  '  --key KEY (env CHARID_KEY, else the key saved by "charid login")\n' +
  '  --json: print one JSON object on stdout\n';

// -> { client, registry, config }; the client signs requests with the resolved key, and says
// how to get one when there is none.
export function registryClient(flags) {
  const access = resolveAccess(flags);
  const keyStore = {
    get: () => {
      if (access.key) return access.key;
      throw new CharidError('not_logged_in',
        `No API key for ${access.registry}: run "charid login --registry ${access.registry}", or pass --key / set CHARID_KEY.`);
    },
    set: () => {},
    clear: () => {},
  };
  return { client: new RegistryClient(access.registry, { keyStore }), ...access };
}
