// A private PostgreSQL server for the store tests: Debian's `postgresql` binaries (installed by
// scripts/bootstrap.sh --postgres as root on Debian), a fresh cluster in a temp folder on a free
// port of 127.0.0.1, trust auth. As root the server runs as the `postgres` user (it refuses root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  /** postgres://pdflow:<password>@127.0.0.1:<port>/postgres (trust auth: the password is there to be redacted). */
  url: string;
  password: string;
  stop(): Promise<void>;
}

/** The folder of initdb/pg_ctl: PDFLOW_PG_BIN, Debian's /usr/lib/postgresql/<newest>/bin, else PATH. */
function pgBin(): string | undefined {
  if (process.env.PDFLOW_PG_BIN) return process.env.PDFLOW_PG_BIN;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return found ? path.dirname(found) : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Why PostgreSQL cannot run here (the test is skipped with this), or undefined. */
export function postgresUnavailable(): string | undefined {
  const bin = pgBin();
  if (!bin) return 'PostgreSQL is not installed (no initdb): run `sudo bash scripts/bootstrap.sh --postgres` (Debian\'s postgresql) or set PDFLOW_PG_BIN';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no `postgres` user to run the server as (install Debian\'s postgresql package)';
  return undefined;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = pgBin()!;
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdflow-pg-'));
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) => (root ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' }));
  const data = path.join(dir, 'data');
  as('initdb', ['-D', data, '-U', 'pdflow', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  as('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', path.join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
  const password = 'not-for-output-7f3a';
  return {
    url: `postgres://pdflow:${password}@127.0.0.1:${port}/postgres`,
    password,
    async stop() {
      try {
        as('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
