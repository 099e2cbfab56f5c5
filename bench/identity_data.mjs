// The labelled clips of the identity benchmark, from three lists:
//   clips  - ../shared/fixtures/clips/identity.csv (the clips are already cut);
//   clips2 - ../shared/fixtures/clips2/identity.tsv (windows of ../shared/fixtures/clips2/media),
//            with its look-alike pairs in hard_negatives.tsv;
//   cuts   - bench/identity_cuts.tsv (more same-character windows of ../shared/fixtures/media:
//            other scenes of the films, other signer videos; each checked by looking at frames).
// Windows are cut once with Debian's ffmpeg into the ignored bench/out/identity_clips/ (H.264,
// CRF 16, no audio; -ss/-to on the input so the cut starts at the asked time).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '../shared/fixtures');
export const cutDir = path.join(root, 'bench', 'out', 'identity_clips');

function readTable(file, separator) {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header.split(separator);
  return lines.filter(Boolean).map((line) => {
    const cells = line.split(separator);
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}

// -> [{set, name, character, file, source, start, end}]
export function identityClips() {
  const clips = readTable(path.join(shared, 'clips', 'identity.csv'), ',').map((r) => ({
    set: 'clips', name: r.clip.replace(/\.mp4$/, ''), character: r.character, file: path.join(shared, 'clips', r.clip),
  }));
  const windows = (set, rows, mediaDir) => rows.map((r) => ({
    set,
    name: r.name,
    character: r.character,
    source: path.join(mediaDir, r.source),
    start: Number(r.start),
    end: r.end === 'end' ? null : Number(r.end),
    file: path.join(cutDir, set, `${r.name}.mp4`),
  }));
  const clips2 = windows('clips2', readTable(path.join(shared, 'clips2', 'identity.tsv'), '\t'), path.join(shared, 'clips2', 'media'));
  const cuts = windows('cuts', readTable(path.join(root, 'bench', 'identity_cuts.tsv'), '\t'), path.join(shared, 'media'));
  return [...clips, ...clips2, ...cuts];
}

// Listed look-alike pairs of different characters, as clip names.
export function hardNegatives() {
  return readTable(path.join(shared, 'clips2', 'hard_negatives.tsv'), '\t').map((r) => [r.clip_a, r.clip_b]);
}

// Cuts the windows that are not cut yet.
export function ensureCuts(clips) {
  for (const c of clips) {
    if (!c.source || fs.existsSync(c.file)) continue;
    fs.mkdirSync(path.dirname(c.file), { recursive: true });
    const range = ['-ss', String(c.start), ...(c.end === null ? [] : ['-to', String(c.end)])];
    const tmp = `${c.file}.part.mp4`;
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...range, '-i', c.source, '-an',
      '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-crf', '16', '-pix_fmt', 'yuv420p', tmp]);
    fs.renameSync(tmp, c.file);
  }
}
