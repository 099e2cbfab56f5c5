// Where the CLI finds its registry and API key:
//   registry: --registry URL, else $CHARID_REGISTRY, else the one saved by `charid login`,
//             else http://127.0.0.1:8787;
//   key:      --key KEY, else $CHARID_KEY, else the key `charid login` saved for that registry.
// `charid login` saves { registry, key } in $XDG_CONFIG_HOME/charid/config.json (default
// ~/.config/charid/config.json), readable by its owner only (mode 0600): the key is a secret.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CharidError } from '../lib/errors.mjs';

export const DEFAULT_REGISTRY = 'http://127.0.0.1:8787';

export function configPath(env = process.env) {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
    ? env.XDG_CONFIG_HOME
    : path.join(os.homedir(), '.config');
  return path.join(base, 'charid', 'config.json');
}

export function readConfig(file = configPath()) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    throw new CharidError('invalid_config', `Cannot read ${file}: ${err.message}.`);
  }
  try {
    const config = JSON.parse(text);
    if (config && typeof config === 'object' && !Array.isArray(config)) return config;
  } catch { /* reported below */ }
  throw new CharidError('invalid_config', `${file} is not a JSON object; delete it and run "charid login" again.`);
}

// Written to a temporary file created with mode 0600 and renamed over the old one, so the key is
// never readable by others, not even for a moment, and a crash never leaves half a file.
export function writeConfig(config, file = configPath()) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

const sameRegistry = (a, b) => String(a ?? '').replace(/\/+$/, '') === String(b ?? '').replace(/\/+$/, '');

// flags: the parsed --registry / --key -> { registry, key (or null), config (the file) }
export function resolveAccess(flags, env = process.env) {
  const file = configPath(env);
  const saved = readConfig(file);
  const registry = flags.registry || env.CHARID_REGISTRY || saved.registry || DEFAULT_REGISTRY;
  const key = flags.key || env.CHARID_KEY || (sameRegistry(saved.registry, registry) ? saved.key : null) || null;
  return { registry, key, config: file };
}
