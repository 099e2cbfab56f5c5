// charid pack <video> --out DIR [--start S] [--box x,y,w,h] [--allow-low-res] [--id char_...]
//   [--name NAME] [--json]
// Writes a reference pack (charid.pack/1, docs/PACKS.md): up to 4 views of the character as
// crops, cutouts and aligned faces, and pack.json saying which files each video generator takes
// and whether its rules hold. Made on this machine; nothing is sent to the registry. The folder
// appears only when complete (a failed run leaves nothing behind).
import { usageError } from '../args.mjs';
import { command } from '../command.mjs';
import { printJson } from '../output.mjs';
import { parseBox } from './embed.mjs';
import { packVideo } from '../../lib/pack/node.mjs';

const USAGE = 'usage: charid pack <path|url> --out DIR [--start S] [--box x,y,w,h] [--allow-low-res] [--id char_...] [--name NAME] [--json]\n' +
  '  --out DIR: the pack folder to create (must not exist, or be empty)\n' +
  '  --box: the subject on the first sampled frame, normalised 0..1 (followed across frames)\n' +
  '  --id, --name: the character this pack is of, written into pack.json\n' +
  '  --json: print pack.json on stdout\n';
const SPEC = { out: 'string', start: 'number', box: 'string', 'allow-low-res': 'boolean', id: 'string', name: 'string', json: 'boolean' };
const ID = /^char_[0-9A-Za-z]{16,}$/;

export const run = command({
  usage: USAGE,
  spec: SPEC,
  positionals: 1,
  missing: 'Give exactly one video path or URL.',
  async body(flags, [input]) {
    if (!flags.out) throw usageError('--out DIR is needed: the folder to write the pack into.');
    if (flags.id !== undefined && !ID.test(flags.id)) throw usageError(`--id must be a character ID like char_..., not "${flags.id}".`);
    if (flags.name !== undefined && !flags.name.trim()) throw usageError('--name must not be empty.');
    const { manifest, dir } = await packVideo(input, {
      out: flags.out,
      start: flags.start,
      allowLowRes: flags['allow-low-res'],
      box: flags.box === undefined ? null : parseBox(flags.box),
      id: flags.id,
      name: flags.name?.trim(),
    });
    if (flags.json) {
      printJson(manifest);
      return;
    }
    for (const w of manifest.warnings) process.stderr.write(`charid: warning: ${w}\n`);
    process.stdout.write(`Pack written to ${dir}:\n`);
    for (const f of manifest.files) {
      process.stdout.write(`  ${f.name.padEnd(20)} ${f.role.padEnd(7)} ${`${f.width}x${f.height}`.padEnd(10)} t=${f.t} s\n`);
    }
    for (const [name, g] of Object.entries(manifest.generators)) {
      const why = g.ok ? '' : `: ${g.failures.map((x) => x.message).join('; ')}`;
      process.stdout.write(`  ${name.padEnd(18)} ${g.ok ? 'ok  ' : 'FAIL'} ${g.files.join(', ')}${why}\n`);
    }
  },
});
