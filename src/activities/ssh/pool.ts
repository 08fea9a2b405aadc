// The per-worker-process SSH connection pool: one connection per node, reused by every activity,
// kept alive, verified against known_hosts, dropped when it dies and re-opened on next use.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { Client } from 'ssh2';
import type { ApplicationFailure } from '@temporalio/common';
import { Connection } from './connection.js';
import { Semaphore } from './semaphore.js';
import {
  authFailed,
  hostKeyMismatch,
  hostKeyUnknown,
  isTransientNetworkError,
  keyUnreadable,
  unreachable,
  type SshEndpoint,
} from './errors.js';
import { judgeHostKey, loadKnownHosts, preferredHostKeyAlgorithms, recordKnownHost, type HostKeyPolicy } from './host-keys.js';
import { expandWorkerPath, type NodeTarget } from './targets.js';

export interface SshPoolOptions {
  /** SSH-level keepalive interval; default 10 s. */
  keepaliveMs?: number;
  /** Unanswered keepalives before the connection counts as dead; default 3. */
  keepaliveCountMax?: number;
  /** Concurrent channels per node; default 8 (sshd's MaxSessions default is 10). */
  maxChannelsPerNode?: number;
  /** Handshake deadline when the target gives none; default 10 s. */
  connectTimeoutMs?: number;
  /** Receives connection events (no secrets in them). */
  onEvent?: (e: PoolEvent) => void;
}

export type PoolEvent =
  | { kind: 'connected'; key: string; node: string; ms: number }
  | { kind: 'closed'; key: string; node: string; reason: string }
  | { kind: 'host-key-recorded'; key: string; node: string; knownHosts: string; line: string };

/** What a connection needs: a node target or a jump host (which has no workdir or env). */
type ConnectSpec = Pick<NodeTarget, 'name' | 'host' | 'port' | 'user' | 'identityFile' | 'knownHosts' | 'hostKeyPolicy' | 'jumpHost' | 'connectTimeoutSeconds'>;

interface Entry {
  conn?: Connection;
  connecting?: Promise<Connection>;
  channels: Semaphore;
  connects: number;
}

export function connectionKey(t: ConnectSpec): string {
  const via = t.jumpHost ? ` via ${t.jumpHost.user}@${t.jumpHost.host}:${t.jumpHost.port}` : '';
  return `${t.user}@${t.host}:${t.port}${via} key=${expandWorkerPath(t.identityFile)}`;
}

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private closedAll = false;
  readonly keepaliveMs: number;
  readonly keepaliveCountMax: number;
  readonly maxChannelsPerNode: number;
  readonly connectTimeoutMs: number;

  constructor(private readonly opts: SshPoolOptions = {}) {
    this.keepaliveMs = opts.keepaliveMs ?? 10_000;
    this.keepaliveCountMax = opts.keepaliveCountMax ?? 3;
    this.maxChannelsPerNode = opts.maxChannelsPerNode ?? 8;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  }

  /** The live connection to the target's node, opening (or re-opening) it when needed. */
  async get(target: ConnectSpec): Promise<Connection> {
    if (this.closedAll) throw new Error('the SSH pool is closed');
    const key = connectionKey(target);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { channels: new Semaphore(this.maxChannelsPerNode), connects: 0 };
      this.entries.set(key, entry);
    }
    if (entry.conn?.alive) return entry.conn;
    entry.conn = undefined;
    if (!entry.connecting) {
      const e = entry;
      e.connecting = this.connect(key, target, e.channels)
        .then((conn) => {
          e.conn = conn;
          e.connects++;
          conn.onClose((reason) => {
            if (e.conn === conn) e.conn = undefined;
            this.opts.onEvent?.({ kind: 'closed', key, node: target.name, reason });
          });
          return conn;
        })
        .finally(() => {
          e.connecting = undefined;
        });
    }
    return entry.connecting!;
  }

  /** Forgets a connection (e.g. one that failed a command) and closes it. */
  drop(conn: Connection): void {
    const entry = this.entries.get(conn.key);
    if (entry?.conn === conn) entry.conn = undefined;
    conn.close();
  }

  /** How many times the node's connection was opened (tests and the bench check reuse). */
  connectCount(target: ConnectSpec): number {
    return this.entries.get(connectionKey(target))?.connects ?? 0;
  }

  /** The channel semaphore of a node (its `active` count shows channels in use). */
  channelsOf(target: ConnectSpec): Semaphore | undefined {
    return this.entries.get(connectionKey(target))?.channels;
  }

  async closeAll(): Promise<void> {
    this.closedAll = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(entries.map((e) => e.connecting));
    for (const e of entries) e.conn?.close();
  }

  private async connect(key: string, t: ConnectSpec, channels: Semaphore): Promise<Connection> {
    const started = Date.now();
    const identityFile = expandWorkerPath(t.identityFile);
    const knownHosts = expandWorkerPath(t.knownHosts);
    const endpoint: SshEndpoint = {
      node: t.name,
      host: t.host,
      port: t.port,
      user: t.user,
      identityFile,
      via: t.jumpHost ? `${t.jumpHost.host}:${t.jumpHost.port}` : undefined,
    };

    let privateKey: string;
    try {
      privateKey = await readFile(identityFile, 'utf8');
    } catch (err) {
      throw keyUnreadable(endpoint, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }

    const entries = await loadKnownHosts(knownHosts);
    let refusal: ApplicationFailure | undefined;
    const policy: HostKeyPolicy = t.hostKeyPolicy;
    const hostVerifier = (offered: Buffer, verify: (ok: boolean) => void): void => {
      const verdict = judgeHostKey(entries, t.host, t.port, offered, policy);
      if (verdict.ok && !verdict.recorded) return verify(true);
      if (verdict.ok && verdict.recorded) {
        recordKnownHost(knownHosts, verdict.line).then(
          () => {
            this.opts.onEvent?.({ kind: 'host-key-recorded', key, node: t.name, knownHosts, line: verdict.line });
            verify(true);
          },
          (err: Error) => {
            refusal = unreachable(endpoint, `cannot record its host key in ${knownHosts}: ${err.message}`);
            verify(false);
          },
        );
        return;
      }
      if (verdict.reason === 'unknown') refusal = hostKeyUnknown(endpoint, knownHosts, verdict.offered);
      else if (verdict.reason === 'revoked') refusal = hostKeyMismatch(endpoint, knownHosts, ['(this key is marked @revoked)'], verdict.offered);
      else refusal = hostKeyMismatch(endpoint, knownHosts, verdict.expected, verdict.offered);
      verify(false);
    };

    let sock: Readable | undefined;
    if (t.jumpHost) {
      const jump = await this.get({
        name: `${t.name} (jump host ${t.jumpHost.host})`,
        host: t.jumpHost.host,
        port: t.jumpHost.port,
        user: t.jumpHost.user,
        identityFile,
        knownHosts,
        hostKeyPolicy: t.hostKeyPolicy,
        connectTimeoutSeconds: t.connectTimeoutSeconds,
      });
      sock = await forwardOut(jump.client, t.host, t.port).catch((err: Error) => {
        throw unreachable(endpoint, `the jump host could not open a tunnel: ${err.message}`);
      });
    }

    const ssh = new NodeSSH();
    try {
      await ssh.connect({
        host: sock ? undefined : t.host,
        port: sock ? undefined : t.port,
        sock,
        username: t.user,
        privateKey,
        hostVerifier: hostVerifier as never,
        algorithms: { serverHostKey: preferredHostKeyAlgorithms(entries, t.host, t.port) as never },
        keepaliveInterval: this.keepaliveMs,
        keepaliveCountMax: this.keepaliveCountMax,
        readyTimeout: t.connectTimeoutSeconds !== undefined ? t.connectTimeoutSeconds * 1000 : this.connectTimeoutMs,
      });
    } catch (err) {
      try {
        ssh.dispose();
      } catch {
        // nothing to close
      }
      throw classifyConnectError(err, endpoint, refusal);
    }
    // Small request/response packets: without this, Nagle + delayed ACK add ~40 ms per command.
    ssh.connection?.setNoDelay(true);
    const conn = new Connection(key, endpoint, ssh, channels);
    this.opts.onEvent?.({ kind: 'connected', key, node: t.name, ms: Date.now() - started });
    return conn;
  }
}

function forwardOut(jump: Client, host: string, port: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Maps what ssh2 throws at connect time onto the typed failures. */
export function classifyConnectError(err: unknown, e: SshEndpoint, refusal?: ApplicationFailure): ApplicationFailure {
  if (refusal) return refusal;
  const error = err as { message?: string; level?: string; code?: string };
  const msg = error?.message ?? String(err);
  if (error?.level === 'client-authentication') return authFailed(e, msg);
  if (/Cannot parse privateKey|private key|passphrase/i.test(msg)) return keyUnreadable(e, msg);
  if (isTransientNetworkError(err)) return unreachable(e, error?.code ? `${error.code} (${msg})` : msg);
  // Unknown trouble while connecting: retryable, the retry policy bounds it.
  return unreachable(e, msg);
}
