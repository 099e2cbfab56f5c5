// The registry commands of the charid CLI against the real registry (started with the real model
// manifest, so real payloads are accepted): login and its config file, create from a clip and
// from a payload, a batch with bad rows and its re-run, list/get/delete with ownership, match and
// verify (with the timeline), consent. Shared by both storage backends
// (registry_commands.test.mjs runs it on SQLite and PostgreSQL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { charid, clip, media } from './helpers.mjs';

// fixtures: { payloadFile(name) -> path of the clip's saved payload, payload(name) -> object }
// start() -> a server from tests/registry/helpers.mjs startRegistry()
// videos: also run the commands that embed a clip (about 5 s each when the machine is idle);
// the clip path does not depend on the storage backend, so one backend is enough.
export function defineCliSuite(label, start, fixtures, { videos = true } = {}) {
  const videoTest = videos ? test : () => {};
  let server;
  let home;
  let env;
  let otherKey;
  const run = (args, extraEnv = {}) => charid(args, { env: { ...env, ...extraEnv } });
  const asOther = (args) => run([...args, '--key', otherKey]);

  before(async () => {
    server = await start();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-cli-registry-'));
    env = { XDG_CONFIG_HOME: path.join(home, 'config'), CHARID_REGISTRY: server.url, CHARID_KEY: '' };
  });
  after(async () => {
    await server.stop();
    server.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  describe(`${label}: login and configuration`, () => {
    test('login creates a key, saves it with mode 0600 and does not print it', async () => {
      const r = await run(['login', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.registry, server.url);
      const file = path.join(env.XDG_CONFIG_HOME, 'charid', 'config.json');
      assert.equal(r.json.config, file);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(saved.registry, server.url);
      assert.match(saved.key, /^ck_[0-9A-Za-z]{32}$/);
      assert.ok(!r.stdout.includes(saved.key) && !r.stderr.includes(saved.key), 'the key is not printed');
      assert.equal(r.json.key, undefined);
      // a second identity for the ownership checks, shown once with --show-key
      const other = await charid(['login', '--show-key', '--json'], {
        env: { ...env, XDG_CONFIG_HOME: path.join(home, 'other-config') },
      });
      assert.equal(other.code, 0, other.stderr);
      assert.match(other.json.key, /^ck_[0-9A-Za-z]{32}$/);
      otherKey = other.json.key;
    });

    test('without a saved key or --key, commands say to log in (exit 1)', async () => {
      const r = await run(['list', '--json'], { XDG_CONFIG_HOME: path.join(home, 'nobody') });
      assert.equal(r.code, 1);
      assert.equal(r.json.error.code, 'not_logged_in');
      assert.match(r.json.error.message, /charid login/);
    });

    test('an unreachable registry is exit 1 with network_error', async () => {
      const r = await run(['list', '--json', '--registry', 'http://127.0.0.1:9', '--key', 'ck_x']);
      assert.equal(r.code, 1);
      assert.equal(r.json.error.code, 'network_error');
    });
  });

  describe(`${label}: create`, () => {
    videoTest('create from a clip prints the character', async () => {
      const r = await run(['create', clip('sintel_a.mp4'), '--name', 'Sintel', '--consent', 'fictional', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.json.id, /^char_[0-9A-Za-z]{16,}$/);
      assert.equal(r.json.name, 'Sintel');
      assert.equal(r.json.visibility, 'private');
      assert.equal(r.json.model, fixtures.payload('sintel_a.mp4').model);
      assert.ok(!Number.isNaN(Date.parse(r.json.created_at)));
      assert.equal(r.json.created, true);
    });

    test('create from a payload; the same payload and name again is the same character', async () => {
      const args = ['create', fixtures.payloadFile('bird_a.mp4'), '--name', 'Bird', '--visibility', 'public', '--consent', 'not_a_person', '--json'];
      const first = await run(args);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.json.visibility, 'public');
      const again = await run(args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.json.id, first.json.id);
      assert.equal(again.json.created, false);
    });

    test('a reference below 720p is refused unless --allow-low-res', async () => {
      const r = await run(['create', clip('signer_grey_a.mp4'), '--name', 'Grey', '--consent', 'permission', '--json']);
      assert.equal(r.code, 2);
      assert.equal(r.json.error.code, 'resolution_too_low');
    });

    test('a face or person without consent is refused (consent_required); the basis given is stored', async () => {
      const file = fixtures.payloadFile('signer_yellow_b.mp4');
      assert.match(fixtures.payload('signer_yellow_b.mp4').subject.kind, /^(face|person)$/);
      const refused = await run(['create', file, '--name', 'Yellow B', '--json']);
      assert.equal(refused.code, 2, refused.stdout);
      assert.equal(refused.json.error.code, 'consent_required');
      assert.match(refused.json.error.message, /consent/i);
      const ok = await run(['create', file, '--name', 'Yellow B', '--consent', 'self', '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      const got = await run(['get', ok.json.id, '--json']);
      assert.equal(got.json.consent.basis, 'self');
      assert.ok(!Number.isNaN(Date.parse(got.json.consent.recorded_at)));
    });

    test('usage mistakes exit 1', async () => {
      for (const args of [
        ['create', fixtures.payloadFile('bird_a.mp4')],
        ['create', fixtures.payloadFile('bird_a.mp4'), '--name', 'X', '--visibility', 'secret'],
        ['create', fixtures.payloadFile('bird_a.mp4'), '--name', 'X', '--consent', 'maybe'],
        ['create', '--from', path.join(home, 'missing.csv')],
      ]) {
        const r = await run([...args, '--json']);
        assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
        assert.equal(r.json.error.code, 'usage');
      }
    });
  });

  describe(`${label}: batch`, () => {
    const PAYLOAD_ROWS = [
      ['bunny_b.mp4', 'fictional'], ['frank_a.mp4', 'fictional'], ['rinky_a.mp4', 'fictional'],
      ['sintel_b.mp4', 'fictional'], ['tos_whitecoat_a.mp4', 'permission'], ['signer_hoodie_a.mp4', 'permission'],
      ['signer_yellow_a.mp4', 'permission'], ['signer_pattern_a.mp4', 'permission'], ['signer_plaid_a.mp4', 'permission'],
      ['signer_grey_b.mp4', 'permission'],
    ];
    let csv;
    let countBefore;
    before(async () => {
      const dir = fs.mkdtempSync(path.join(home, 'batch-'));
      const lines = ['file,name,start,box,visibility,consent'];
      for (const [name, consent] of PAYLOAD_ROWS) {
        fs.copyFileSync(fixtures.payloadFile(name), path.join(dir, `${name}.json`));
        lines.push(`${name}.json,"Cast ${path.parse(name).name}",,,unlisted,${consent}`);
      }
      if (videos) lines.push(`${clip('bunny_a.mp4')},"Cast, the rabbit",0,"0,0,1,1",,fictional`);
      lines.push(`${clip('signer_grey_a.mp4')},Too small,,,,permission`);
      lines.push(`${media('Eyevinn__mp4ff/opus.mp4')},No video,,,,fictional`);
      csv = path.join(dir, 'cast.csv');
      fs.writeFileSync(csv, `${lines.join('\r\n')}\r\n`);
      countBefore = (await run(['list', '--all', '--json'])).json.data.length;
    });

    test('a batch creates the good rows, reports the bad ones with their codes and exits 2', async () => {
      const r = await run(['create', '--from', csv, '--jobs', '2', '--json']);
      assert.equal(r.code, 2, r.stderr);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.length, PAYLOAD_ROWS.length + (videos ? 3 : 2));
      const byFile = Object.fromEntries(rows.map((x) => [path.basename(x.file), x]));
      for (const [name] of PAYLOAD_ROWS) {
        assert.equal(byFile[`${name}.json`].ok, true, JSON.stringify(byFile[`${name}.json`]));
        assert.match(byFile[`${name}.json`].id, /^char_/);
      }
      if (videos) assert.equal(byFile['bunny_a.mp4'].ok, true, JSON.stringify(byFile['bunny_a.mp4']));
      assert.equal(byFile['signer_grey_a.mp4'].ok, false);
      assert.equal(byFile['signer_grey_a.mp4'].error.code, 'resolution_too_low');
      assert.equal(byFile['opus.mp4'].error.code, 'no_video_stream');
      const good = PAYLOAD_ROWS.length + (videos ? 1 : 0);
      assert.match(r.stderr, new RegExp(`created ${good}, already existed 0, failed 2`));
      const listed = (await run(['list', '--all', '--json'])).json.data;
      assert.equal(listed.length, countBefore + good);
      if (videos) assert.equal(listed.find((c) => c.id === byFile['bunny_a.mp4'].id).name, 'Cast, the rabbit');
      const hoodie = listed.find((c) => c.id === byFile['signer_hoodie_a.mp4.json'].id);
      assert.equal(hoodie.visibility, 'unlisted');
      assert.equal(hoodie.consent?.basis, 'permission');
    });

    test('re-running the batch creates nothing new (plain progress lines off a terminal)', async () => {
      const r = await run(['create', '--from', csv]);
      const good = PAYLOAD_ROWS.length + (videos ? 1 : 0);
      assert.equal(r.code, 2);
      assert.match(r.stdout, new RegExp(`created 0, already existed ${good}, failed 2`));
      assert.match(r.stderr, new RegExp(`\\[${good + 2}/${good + 2}\\] `));
      assert.equal((await run(['list', '--all', '--json'])).json.data.length, countBefore + good);
    });

    test('create DIR --name-from filename names each file after itself', async () => {
      const dir = fs.mkdtempSync(path.join(home, 'folder-'));
      fs.copyFileSync(fixtures.payloadFile('frank_a.mp4'), path.join(dir, 'Frank.json'));
      fs.copyFileSync(fixtures.payloadFile('rinky_a.mp4'), path.join(dir, 'Rinky.json'));
      const r = await run(['create', dir, '--name-from', 'filename', '--consent', 'fictional', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((x) => [x.file, x.ok, x.name]), [['Frank.json', true, 'Frank'], ['Rinky.json', true, 'Rinky']]);
      const missing = await run(['create', dir, '--json']);
      assert.equal(missing.code, 1);
      assert.match(missing.json.error.message, /--name-from filename/);
    });
  });

  describe(`${label}: list, get, delete, match, verify`, () => {
    let sintel;
    let yellow;
    before(async () => {
      sintel = (await run(['create', fixtures.payloadFile('sintel_a.mp4'), '--name', 'Sintel ref', '--consent', 'fictional', '--json'])).json;
      yellow = (await run(['create', fixtures.payloadFile('signer_yellow_a.mp4'), '--name', 'Yellow ref', '--consent', 'permission', '--json'])).json;
      assert.match(sintel.id, /^char_/);
      assert.match(yellow.id, /^char_/);
    });

    test('list --limit pages, get shows one character, others cannot see or delete it', async () => {
      const page = await run(['list', '--limit', '2', '--json']);
      assert.equal(page.code, 0, page.stderr);
      assert.equal(page.json.data.length, 2);
      assert.equal(page.json.has_more, true);
      const got = await run(['get', sintel.id, '--json']);
      assert.equal(got.code, 0);
      assert.equal(got.json.name, 'Sintel ref');
      const hidden = await asOther(['get', sintel.id, '--json']);
      assert.equal(hidden.code, 2);
      assert.equal(hidden.json.error.code, 'not_found');
      const notYours = await asOther(['delete', sintel.id, '--yes', '--json']);
      assert.equal(notYours.code, 2);
      assert.equal(notYours.json.error.code, 'not_found');
      assert.equal((await asOther(['list', '--all', '--json'])).json.data.length, 0);
    });

    test('delete removes your character', async () => {
      const doomed = (await run(['create', fixtures.payloadFile('tos_whitecoat_a.mp4'), '--name', 'Doomed', '--consent', 'permission', '--json'])).json;
      const r = await run(['delete', doomed.id, '--json']); // not a terminal: no question
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.json, { ok: true, id: doomed.id, deleted: true });
      const gone = await run(['get', doomed.id, '--json']);
      assert.equal(gone.code, 2);
      assert.equal(gone.json.error.code, 'not_found');
    });

    test('match finds the same character first, with verdicts at the calibrated threshold', async () => {
      const r = await run(['match', fixtures.payloadFile('signer_yellow_b.mp4'), '--k', '3', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.matches.length, 3);
      assert.ok(r.json.threshold > 0 && r.json.threshold < 1);
      const yellowIds = new Set((await run(['list', '--all', '--json'])).json.data
        .filter((c) => /yellow/i.test(c.name)).map((c) => c.id));
      assert.ok(yellowIds.has(r.json.matches[0].id), `best match ${r.json.matches[0].name}`);
      assert.equal(r.json.matches[0].verdict, 'same');
      for (const m of r.json.matches) {
        assert.deepEqual(Object.keys(m).sort(), ['id', 'name', 'score', 'verdict']);
        assert.equal(m.verdict, m.score >= r.json.threshold ? 'same' : 'different');
      }
    });

    test('verify: the same character is same, another is different', async () => {
      const same = await run(['verify', yellow.id, fixtures.payloadFile('signer_yellow_b.mp4'), '--json']);
      assert.equal(same.code, 0, same.stderr);
      assert.equal(same.json.id, yellow.id);
      assert.equal(same.json.model, yellow.model);
      assert.equal(same.json.verdict, 'same');
      assert.ok(same.json.score >= same.json.threshold);
      const other = await run(['verify', sintel.id, fixtures.payloadFile('signer_yellow_b.mp4'), '--json']);
      assert.equal(other.code, 0, other.stderr);
      assert.equal(other.json.verdict, 'different');
      assert.ok(other.json.score < other.json.threshold);
      assert.ok(other.json.score < same.json.score);
      const hidden = await asOther(['verify', yellow.id, fixtures.payloadFile('signer_yellow_b.mp4'), '--json']);
      assert.equal(hidden.code, 2);
      assert.equal(hidden.json.error.code, 'not_found');
    });

    videoTest('verify --timeline scores every sampled frame of a clip below 720p, with a warning', async () => {
      const r = await run(['verify', yellow.id, clip('signer_yellow_b.mp4'), '--timeline', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /less reliable/);
      assert.deepEqual(r.json.warnings, ['low_resolution']);
      assert.equal(r.json.timeline.length, 16);
      let previous = -1;
      for (const f of r.json.timeline) {
        assert.ok(f.t > previous && f.t <= 4, `t ${f.t}`);
        previous = f.t;
        assert.ok(f.score >= -1 && f.score <= 1);
      }
      const below = r.json.timeline.filter((f) => f.score < r.json.threshold).length / 16;
      assert.equal(r.json.below_threshold, Math.round(below * 1e6) / 1e6);
      assert.ok(r.json.below_threshold < 0.5, 'most frames of the same signer are above the threshold');
      const payloadOnly = await run(['verify', yellow.id, fixtures.payloadFile('signer_yellow_b.mp4'), '--timeline', '--json']);
      assert.equal(payloadOnly.code, 1);
      assert.match(payloadOnly.json.error.message, /needs the video/);
    });
  });
}
