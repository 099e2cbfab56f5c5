// Writes a pack folder atomically: every file goes into a temporary folder beside DIR, which is
// renamed to DIR only once all of them are on disk, so a failed run leaves no half-written pack
// (and the temporary folder is removed on the way out).
import fs from 'node:fs/promises';
import path from 'node:path';
import { CharidError } from '../errors.mjs';

// The error for a folder we cannot create or fill, in plain words.
function notWritable(dir, err) {
  return new CharidError('output_not_writable', `Cannot write the pack to ${dir}: ${err.code === 'EACCES' || err.code === 'EPERM'
    ? 'permission denied' : err.code === 'ENOENT' ? 'its parent folder does not exist' : err.message}.`, { cause: err });
}

// Refuses a DIR that already holds files (it would be replaced); an empty one is taken.
export async function checkPackDir(dir) {
  let entries;
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    if (err.code === 'ENOENT') return;
    if (err.code === 'ENOTDIR') throw new CharidError('output_not_writable', `${dir} exists and is not a folder.`);
    throw notWritable(dir, err);
  }
  if (entries.length) throw new CharidError('output_exists', `${dir} already exists and is not empty; give a new folder for the pack.`);
}

// files: [{name, bytes}]; manifest: pack.json as an object. -> the files written, with pack.json.
export async function writePackDir(dir, manifest, files) {
  const target = path.resolve(dir);
  await checkPackDir(target);
  let temp;
  try {
    temp = await fs.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.partial-`));
  } catch (err) {
    throw notWritable(target, err);
  }
  try {
    for (const f of files) await fs.writeFile(path.join(temp, f.name), f.bytes);
    await fs.writeFile(path.join(temp, 'pack.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // an empty DIR (checked above) gives way; a non-empty one makes rename fail, never merge
    await fs.rmdir(target).catch((err) => { if (err.code !== 'ENOENT') throw err; });
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err instanceof CharidError ? err : notWritable(target, err);
  }
  return [...files.map((f) => f.name), 'pack.json'];
}
