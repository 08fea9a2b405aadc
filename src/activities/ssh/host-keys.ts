// Host key verification against an OpenSSH known_hosts file: plain and `[host]:port` names,
// comma lists, * and ? wildcards, negation, hashed `|1|salt|hash` names, @revoked lines.
// Policy `accept-new` records a key for an unknown host; a changed key is always refused.
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface KnownHostEntry {
  marker?: 'cert-authority' | 'revoked';
  /** The host field as written (comma list of patterns, or one hashed name). */
  hosts: string;
  keyType: string;
  key: Buffer;
  lineNo: number;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@cert-authority' || fields[0] === '@revoked') marker = fields.shift()!.slice(1) as KnownHostEntry['marker'];
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) return; // malformed lines are skipped, as ssh does
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0) return;
    out.push({ marker, hosts, keyType, key, lineNo: i + 1 });
  });
  return out;
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, names: string[]): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const [, kind, salt, hash] = field.split('|');
  if (kind !== '1' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  return names.some((n) => createHmac('sha1', Buffer.from(salt, 'base64')).update(n).digest().equals(want));
}

/** Whether a known_hosts host field applies to host:port. */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const names = port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`];
  if (field.startsWith('|')) return hashedMatches(field, names);
  let matched = false;
  for (const p of field.split(',')) {
    const negated = p.startsWith('!');
    const re = globToRegExp(negated ? p.slice(1) : p);
    if (names.some((n) => re.test(n))) {
      if (negated) return false; // a negated match overrides any positive one
      matched = true;
    }
  }
  return matched;
}

/** `SHA256:<base64 without padding>`, as ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (uint32 length + name). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { ok: true; recorded: false }
  | { ok: true; recorded: true; line: string }
  | { ok: false; reason: 'mismatch'; expected: string[]; offered: string }
  | { ok: false; reason: 'revoked'; offered: string }
  | { ok: false; reason: 'unknown'; offered: string };

/** Pure decision: does the offered key pass for host:port under the policy? */
export function judgeHostKey(entries: KnownHostEntry[], host: string, port: number, offered: Buffer, policy: HostKeyPolicy): HostKeyVerdict {
  const forHost = entries.filter((e) => hostFieldMatches(e.hosts, host, port));
  const offeredFp = `${keyTypeOf(offered)} ${fingerprint(offered)}`;
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(offered))) return { ok: false, reason: 'revoked', offered: offeredFp };
  const known = forHost.filter((e) => e.marker === undefined);
  if (known.some((e) => e.key.equals(offered))) return { ok: true, recorded: false };
  if (known.length > 0) {
    return { ok: false, reason: 'mismatch', expected: known.map((e) => `${e.keyType} ${fingerprint(e.key)}`), offered: offeredFp };
  }
  if (policy === 'accept-new') {
    return { ok: true, recorded: true, line: `${knownHostName(host, port)} ${keyTypeOf(offered)} ${offered.toString('base64')}` };
  }
  return { ok: false, reason: 'unknown', offered: offeredFp };
}

const RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
/** ssh2's default host key algorithms, in its order. */
const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', ...RSA_ALGOS];

/**
 * Host key algorithms with the types known for this host first, as OpenSSH orders them, so a
 * server with several host keys shows the one we can check (not a "changed" key of another type).
 */
export function preferredHostKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number): string[] {
  const knownTypes = entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port)).map((e) => e.keyType);
  const first = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? RSA_ALGOS : [t])).filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a));
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGOS])];
}

export async function loadKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Appends one line (O_APPEND: concurrent appends of short lines do not interleave). */
export async function recordKnownHost(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const current = await readFile(file, 'utf8').catch(() => '');
  const sep = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
  await appendFile(file, `${sep}${line}\n`, { mode: 0o600 });
}
