// The clips of the "choose -> ID" benchmark: 4 s cuts of one 1080p H.264 fixture re-encoded by
// Debian's ffmpeg to 720p and 1080p H.264, VP9 and AV1 (into the ignored bench/out/, made once:
// a cut that exists is reused), and native single-thread decode time of a file for the ratios.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CUT_SOURCE = path.resolve(root, '..', 'shared', 'fixtures', 'media', 'Vanilagy__mediabunny', 'video.mp4');

// Encoder settings: ordinary ones for each codec (a 2 s key-frame interval, as cameras and
// sites use), fast presets so making the cuts takes seconds, not minutes.
const CODECS = {
  h264: { ext: 'mp4', label: 'H.264', args: ['-c:v', 'libx264', '-preset', 'fast', '-crf', '23', '-pix_fmt', 'yuv420p'] },
  vp9: { ext: 'webm', label: 'VP9', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '32', '-b:v', '0', '-pix_fmt', 'yuv420p'] },
  av1: { ext: 'mp4', label: 'AV1', args: ['-c:v', 'libsvtav1', '-preset', '10', '-crf', '35', '-pix_fmt', 'yuv420p'] },
};
const HEIGHTS = [720, 1080];

// -> [{ id, label, file, codec, height }] in the order h264, vp9, av1 (720p then 1080p each).
export function makeCuts(dir) {
  if (!fs.existsSync(CUT_SOURCE)) throw new Error(`the cut source ${CUT_SOURCE} is missing`);
  fs.mkdirSync(dir, { recursive: true });
  const cuts = [];
  for (const [codec, c] of Object.entries(CODECS)) {
    for (const height of HEIGHTS) {
      const id = `${codec}_${height}`;
      const file = path.join(dir, `${id}.${c.ext}`);
      if (!fs.existsSync(file)) {
        const tmp = `${file}.part.${c.ext}`;
        const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', CUT_SOURCE, '-t', '4', '-an',
          '-vf', `scale=-2:${height}`, '-g', '48', ...c.args, tmp], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`ffmpeg could not make ${id}: ${r.stderr || r.error?.message}`);
        fs.renameSync(tmp, file);
      }
      cuts.push({ id, label: `${height}p ${c.label}`, file, codec, height });
    }
  }
  return cuts;
}

// Wall time of `ffmpeg -threads 1` decoding the whole file to null: median of `reps` runs, ms.
export function nativeDecodeMs(file, reps = 3) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-threads', '1', '-i', file, '-an', '-f', 'null', '-'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${r.stderr}`);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
