// npm run build: everything, incrementally. Native tree (tests, fuzzing,
// registry), wasm tree (the core module and its tests), model files, web app.
// Other tools call this after npm install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jobs = process.env.CHARID_BUILD_JOBS || String(Math.max(1, os.cpus().length));

function step(title, cmd, args, env = {}) {
  console.log(`\n== ${title}\n$ ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`build: "${title}" failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
  console.log(`   (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function cmakeTree(name, extra) {
  const dir = path.join('build', name);
  if (!fs.existsSync(path.join(root, dir, 'CMakeCache.txt'))) {
    step(`configure ${name}`, 'cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release', ...extra]);
  }
  step(`build ${name}`, 'cmake', ['--build', dir, '-j', jobs]);
}

const only = process.argv[2];
if (!only || only === 'native') cmakeTree('native', []);
if (!only || only === 'wasm') {
  cmakeTree('wasm', [`-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'emsdk-toolchain.cmake')}`]);
}
if ((!only || only === 'models') && fs.existsSync(path.join(root, 'models', 'fetch.mjs'))) {
  step('models', process.execPath, ['models/fetch.mjs']);
}
if ((!only || only === 'web') && fs.existsSync(path.join(root, 'web', 'build.mjs'))) {
  step('web app', process.execPath, ['web/build.mjs']);
}

