// charid probe <path|url> [--start S] [--duration D] [--allow-low-res] [--json]
import { parseArgs, UsageError } from '../args.mjs';
import { formatSeconds, printJson, reportError } from '../output.mjs';
import { probe, publicSource } from '../../lib/media.mjs';

const USAGE = 'usage: charid probe <path|url> [--start S] [--duration D] [--allow-low-res] [--json]\n';
const SPEC = { start: 'number', duration: 'number', 'allow-low-res': 'boolean', json: 'boolean', help: 'boolean' };

export async function run(argv) {
  let json = argv.includes('--json');
  try {
    const { flags, positional } = parseArgs(argv, SPEC);
    if (flags.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positional.length !== 1) throw new UsageError('Give exactly one video path or URL.');
    const result = await probe(positional[0], {
      start: flags.start,
      duration: flags.duration,
      allowLowRes: flags['allow-low-res'],
    });
    const out = { ok: true, source: publicSource(result.source), window: result.window, warnings: result.warnings };
    if (json) printJson(out);
    else printReadable(out);
    return 0;
  } catch (err) {
    return reportError(err, { json, usage: USAGE });
  }
}

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
