// `npm start`: runs the registry server built by scripts/build.mjs, serving
// the API, the web app (web/dist) and the model files (models/cache).
// HOST (127.0.0.1), PORT (8787), DATA_DIR (./data) and DATABASE_URL are read
// by the server itself; extra arguments are passed through, e.g.
//   npm start -- --cors-origin https://editor.example --credits-per-key 100
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.CHARID_REGISTRY_BIN ?? join(root, 'build/native/src/registry/charid-registry');
if (!existsSync(binary)) {
  console.error(`charid: ${binary} is missing; build it with: node scripts/build.mjs`);
  process.exit(1);
}

const args = [
  '--web-root', join(root, 'web/dist'),
  '--models-dir', join(root, 'models/cache'),
  '--manifest', join(root, 'models/manifest.json'),
  ...process.argv.slice(2), // later flags win
];
const env = { ...process.env, DATA_DIR: process.env.DATA_DIR || join(root, 'data') };
const child = spawn(binary, args, { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
