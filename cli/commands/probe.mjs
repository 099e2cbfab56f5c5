// charid probe <path|url> [--start S] [--duration D] [--allow-low-res] [--json]
import { command } from '../command.mjs';
import { formatSeconds, printJson } from '../output.mjs';
import { probe, publicSource } from '../../lib/media.mjs';

const USAGE = 'usage: charid probe <path|url> [--start S] [--duration D] [--allow-low-res] [--json]\n';
const SPEC = { start: 'number', duration: 'number', 'allow-low-res': 'boolean', json: 'boolean' };

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 1,
  missing: 'Give exactly one video path or URL.',
  async body(flags, [input]) {
    const result = await probe(input, {
      start: flags.start,
      duration: flags.duration,
      allowLowRes: flags['allow-low-res'],
    });
    const out = { ok: true, source: publicSource(result.source), window: result.window, warnings: result.warnings };
    if (flags.json) printJson(out);
    else printReadable(out);
  },
});

function printReadable({ source: s, window: w, warnings }) {
  const rotation = s.rotation ? `, rotated ${s.rotation}°` : '';
  const lines = [
    `container   ${s.container}`,
    `codec       ${s.codec}`,
    `size        ${s.width}x${s.height} coded, ${s.display_width}x${s.display_height} shown${rotation}`,
    `duration    ${formatSeconds(s.duration)}`,
    `frame rate  ${s.fps ? `${Number(s.fps.toFixed(3))} fps` : 'unknown'}`,
    `file size   ${s.bytes} bytes`,
    `audio       ${s.has_audio ? 'yes' : 'no'}`,
    `window      ${formatSeconds(w.start)} to ${formatSeconds(w.end)}`,
    `warnings    ${warnings.length ? warnings.join(', ') : 'none'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
