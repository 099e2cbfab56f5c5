// Starts a throw-away PostgreSQL (Debian's server binaries) on a loopback
// port for the registry's PostgreSQL tests, and stops it afterwards. When run
// as root, PostgreSQL refuses to start, so the server runs as the `postgres`
// user via runuser. Any failure throws with the reason: a test that needs
// PostgreSQL fails loudly, it is never skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function postgresBinDir() {
  if (process.env.CHARID_PG_BIN) return process.env.CHARID_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!found) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin '
      + '(apt-get install postgresql) — set CHARID_PG_BIN to their folder');
  }
  return found;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Runs a PostgreSQL tool as a user PostgreSQL accepts.
function asPostgresUser(asRoot, command, args) {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const r = spawnSync(file, argv, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

export async function startPostgres() {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'charid-pg-'));
  if (asRoot) {
    let uid;
    let gid;
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as '
        + '(Debian\'s postgresql package creates it)');
    }
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  // --no-sync only speeds up initdb; the running server keeps fsync on.
  asPostgresUser(asRoot, join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  try {
    asPostgresUser(asRoot, join(bin, 'pg_ctl'), [
      '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`, 'start',
    ]);
  } catch (e) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${e.message}\n${log}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: data,
    stop() {
      try {
        asPostgresUser(asRoot, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Stops only the server (for the health check) and can start it again.
    pause() { asPostgresUser(asRoot, join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']); },
    resume() {
      asPostgresUser(asRoot, join(bin, 'pg_ctl'), [
        '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start',
      ]);
    },
    user: asRoot ? 'postgres' : userInfo().username,
    // Runs SQL with psql (in `database`, default postgres) and returns its unaligned output.
    query(sql, database = 'postgres') {
      return asPostgresUser(asRoot, join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres',
        '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql]).trim();
    },
    urlOf(database) { return `postgres://postgres@127.0.0.1:${port}/${database}`; },
  };
}
