// Runs a batch of `charid create` rows: embeds each clip (payload files are sent as they are),
// registers it, and reports every row, `jobs` rows at a time. A bad row is reported with the
// core's or the registry's error code and the batch goes on; a registry that cannot be reached
// or will not take this key ends it. Re-running a batch creates nothing new: the registry answers
// a repeat (same key, name and vector) with the character it already has, at no credit.
import { CharidError } from '../lib/errors.mjs';
import { exitStatusOf, errorJson, printJsonLine } from './output.mjs';
import { readPayloadFile } from './inputs.mjs';
import { createEmbedPool } from './embed_pool.mjs';
import { createProgress } from './progress.mjs';

// Errors after which no other row can succeed either.
const ENDS_BATCH = new Set(['unauthorized', 'insufficient_credits']);
const endsBatch = (err) => exitStatusOf(err) !== 2 || ENDS_BATCH.has(err.code);

// rows: from create_rows.mjs; allowLowRes: the 720p minimum off for every row.
// -> { created, existed, failed, skipped, fatal (the error that ended it, or null) }
export async function runBatch(rows, { client, jobs = 1, json = false, allowLowRes = false }) {
  const pool = createEmbedPool(Math.min(jobs, rows.length));
  const progress = createProgress(rows.length);
  const summary = { created: 0, existed: 0, failed: 0, skipped: 0, fatal: null };
  let next = 0;

  async function one(r) {
    if (r.error) throw r.error;
    const embedding = readPayloadFile(r.input)
      ?? (await pool.embed(r.input, { start: r.settings.start, box: r.settings.box, allowLowRes })).payload;
    return client.createCharacter({
      name: r.name, embedding, visibility: r.settings.visibility, consent: r.settings.consent,
    });
  }

  async function lane() {
    while (next < rows.length && !summary.fatal) {
      const r = rows[next++];
      progress.start(r.file);
      try {
        const { character, created } = await one(r);
        summary[created ? 'created' : 'existed']++;
        report(r, { ok: true, id: character.id, name: character.name, created });
        progress.finish(r.file, `${created ? 'created' : 'already existed'} ${character.id}`);
      } catch (thrown) {
        // A bug (an error without a code of ours) fails the row and ends the batch.
        const err = exitStatusOf(thrown) === null ? CharidError.from(thrown) : thrown;
        summary.failed++;
        if (endsBatch(err)) summary.fatal ??= err;
        report(r, { ok: false, error: errorJson(err) });
        progress.finish(r.file, `failed: ${err.message} (${err.code})`);
      }
    }
  }

  function report(r, result) {
    progress.clear();
    if (json) {
      printJsonLine({ file: r.file, ...result });
    } else if (result.ok) {
      process.stdout.write(`${result.created ? 'created' : 'exists '}  ${result.id}  ${result.name}  (${r.file})\n`);
    } else {
      process.stdout.write(`failed   ${r.file}: ${result.error.message} (${result.error.code})\n`);
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, rows.length)) }, lane));
  } finally {
    progress.end();
    await pool.close();
  }
  summary.skipped = rows.length - summary.created - summary.existed - summary.failed;
  const line = `created ${summary.created}, already existed ${summary.existed}, failed ${summary.failed}`
    + (summary.skipped ? `, not attempted ${summary.skipped} (${summary.fatal.message})` : '');
  // stdout holds only the rows' JSON Lines with --json; the summary then goes to stderr.
  (json ? process.stderr : process.stdout).write(`${line}\n`);
  return summary;
}
