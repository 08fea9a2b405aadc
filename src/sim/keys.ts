// Keys for the simulated cluster: one ed25519 host key per node, one client key, and the
// known_hosts file that pins each node's host key to its [host]:port.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function generateKey(keyPath: string, comment: string): Promise<void> {
  await rm(keyPath, { force: true });
  await rm(`${keyPath}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', keyPath]);
}

/** "ssh-ed25519 AAAA..." without the comment. */
export async function publicKeyOf(keyPath: string): Promise<string> {
  const text = await readFile(`${keyPath}.pub`, 'utf8');
  const [type, body] = text.trim().split(/\s+/);
  if (!type || !body) throw new Error(`${keyPath}.pub does not hold a public key`);
  return `${type} ${body}`;
}

/** known_hosts spells non-default ports as [host]:port. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export async function writeKnownHosts(file: string, entries: { host: string; port: number; hostKeyPath: string }[]): Promise<void> {
  const lines = await Promise.all(entries.map(async (e) => `${knownHostsName(e.host, e.port)} ${await publicKeyOf(e.hostKeyPath)}`));
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
}
