// Shared by the CLI tests: run the real charid command, find fixtures.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shared = path.resolve(root, '..', 'shared');
export const media = (rel) => path.join(shared, 'fixtures', 'media', rel);
export const clip = (name) => path.join(shared, 'fixtures', 'clips', name);

// -> { code, stdout, stderr, json } (json parsed when stdout is JSON); options.env is added to
// the environment.
export function charid(args, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'cli', 'charid.mjs'), ...args], {
      cwd: root, env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      let json;
      try { json = JSON.parse(stdout); } catch { json = undefined; }
      resolve({ code, stdout, stderr, json });
    });
  });
}
