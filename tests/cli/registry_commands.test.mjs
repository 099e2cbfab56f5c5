// The CLI's registry commands (registry_cli_suite.mjs) against the real charid-registry on
// loopback, on SQLite and on a throw-away PostgreSQL. The fixture clips are embedded once here
// and their payloads saved in a temporary folder, so most rows of the suite send a payload; the
// clip path (a create, a batch row, --jobs, the timeline) runs on SQLite only.
import { after, before } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embedClip } from '../../cli/inputs.mjs';
import { repoRoot, startRegistry } from '../registry/helpers.mjs';
import { startPostgres } from '../registry/postgres_server.mjs';
import { clip } from './helpers.mjs';
import { defineCliSuite } from './registry_cli_suite.mjs';

const CLIPS = [
  'bird_a.mp4', 'sintel_a.mp4', 'sintel_b.mp4', 'bunny_b.mp4', 'frank_a.mp4', 'rinky_a.mp4',
  'tos_whitecoat_a.mp4', 'signer_hoodie_a.mp4', 'signer_yellow_a.mp4', 'signer_yellow_b.mp4',
  'signer_pattern_a.mp4', 'signer_plaid_a.mp4', 'signer_grey_b.mp4',
];
// The clips whose scores the suite checks get the CLI's 16 frames; the others only need to be
// valid, distinct payloads, and 4 frames embed about three times faster.
const FULL = new Set(['signer_yellow_a.mp4', 'signer_yellow_b.mp4']);
const manifest = path.join(repoRoot, 'models', 'manifest.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-cli-payloads-'));
const payloads = new Map();

const fixtures = {
  payloadFile(name) {
    if (!payloads.has(name)) throw new Error(`${name} was not embedded in before()`);
    return path.join(dir, `${name}.json`);
  },
  payload(name) {
    return JSON.parse(fs.readFileSync(fixtures.payloadFile(name), 'utf8'));
  },
};

before(async () => {
  for (const name of CLIPS) {
    const { payload } = await embedClip(clip(name), { allowLowRes: true, count: FULL.has(name) ? 16 : 4 });
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(payload));
    payloads.set(name, payload);
  }
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

defineCliSuite('sqlite', () => startRegistry({ manifest }), fixtures);

const pg = await startPostgres();
after(() => pg.stop());
// Payloads only: what differs between backends is the registry's side.
defineCliSuite('postgresql', () => startRegistry({ manifest, env: { DATABASE_URL: pg.url } }), fixtures, { videos: false });
