// The two-character clip of the cast and pack tests, made from two fixture clips side by side
// (ffmpeg hstack): the signer of signer_yellow_a.mp4 on the left (640x480), Big Buck Bunny of
// bunny_a.mp4 on the right (scaled to 854x480), 3.6 s at 25 fps.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { clip } from '../cli/helpers.mjs';

export const LEFT_WIDTH = 640;
export const RIGHT_WIDTH = 854;
export const SPLIT = LEFT_WIDTH / (LEFT_WIDTH + RIGHT_WIDTH);   // of the width, normalised

// -> the path of the clip, written into `dir`.
export function makeTwoCharacterClip(dir) {
  const out = path.join(dir, 'signer_and_bunny.mp4');
  const ff = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', clip('signer_yellow_a.mp4'), '-i', clip('bunny_a.mp4'),
    '-filter_complex', `[0:v]fps=25,setsar=1[a];[1:v]fps=25,scale=${RIGHT_WIDTH}:480,setsar=1[b];[a][b]hstack=inputs=2[v]`,
    '-map', '[v]', '-an', '-t', '3.6', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', out]);
  if (ff.status !== 0) throw new Error(`ffmpeg could not make the two-character clip: ${ff.stderr}`);
  return out;
}
