// Where the external programs pdflow drives live on this machine. Mirrors scripts/bootstrap.sh.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './source-dir.js';

export { projectRoot };

function onPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The `temporal` CLI: PDFLOW_TEMPORAL_BIN, the project venv, PATH, or the go-installed fallback. */
export function findTemporalBinary(): string {
  const candidates = [
    process.env.PDFLOW_TEMPORAL_BIN,
    path.join(projectRoot, '.tools/venv/bin/temporal'),
    onPath('temporal'),
    path.join(projectRoot, '.tools/go/bin/temporal'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error(
    'The Temporal CLI was not found. Run `bash scripts/bootstrap.sh` (installs temporal-bin into .tools/venv), ' +
      'or set PDFLOW_TEMPORAL_BIN=/path/to/temporal.',
  );
}

/** OpenSSH's sshd, for the simulated cluster. */
export function findSshdBinary(): string {
  const candidates = [process.env.PDFLOW_SSHD_BIN, '/usr/sbin/sshd', onPath('sshd')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('sshd was not found. Install OpenSSH server (Debian: apt-get install openssh-server) or set PDFLOW_SSHD_BIN.');
}
