// One live SSH connection to one node, shared by every activity on the worker. Commands run on
// their own channels, at most `maxChannelsPerNode` at once; output is captured with a cap.
import type { Client, ClientChannel } from 'ssh2';
import type { NodeSSH } from 'node-ssh';
import type { Semaphore } from './semaphore.js';
import type { SshEndpoint } from './errors.js';

/** The connection was gone (or went) before or while a command ran. */
export class ConnectionClosedError extends Error {
  constructor(
    message: string,
    /** false: the command never reached the node, so running it again is safe. */
    readonly started: boolean,
  ) {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

export class CommandTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no exit within ${timeoutMs} ms`);
    this.name = 'CommandTimeoutError';
  }
}

export class CommandAbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'CommandAbortedError';
  }
}

export interface RawExecOptions {
  /** Written to the command's stdin, then EOF. */
  stdin?: string | Buffer;
  /** Bytes kept per stream; beyond it the oldest bytes are dropped (the tail is what matters). */
  maxOutputBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RawExecResult {
  stdout: Buffer;
  stderr: Buffer;
  /** null when the command died of a signal. */
  exitCode: number | null;
  signal: string | null;
  /** Bytes dropped from the front of each stream because of the cap. */
  droppedBytes: { stdout: number; stderr: number };
}

/** Keeps the last `cap` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly cap: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    if (this.size > this.cap * 2) this.compact();
  }
  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const keep = all.subarray(Math.max(0, all.length - this.cap));
    this.dropped += all.length - keep.length;
    this.chunks = [keep];
    this.size = keep.length;
  }
  value(): Buffer {
    this.compact();
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export class Connection {
  private closedReason: string | undefined;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(
    readonly key: string,
    readonly endpoint: SshEndpoint,
    private readonly ssh: NodeSSH,
    private readonly channels: Semaphore,
  ) {
    const client = this.client;
    // After `ready` node-ssh leaves no error listener: without ours an error would crash the worker.
    client.on('error', (err: Error) => this.markClosed(`connection error: ${err.message}`));
    client.on('end', () => this.markClosed('the server ended the connection'));
    client.on('close', () => this.markClosed('the connection closed'));
  }

  get client(): Client {
    const c = this.ssh.connection;
    if (!c) throw new ConnectionClosedError(this.closedReason ?? 'not connected', false);
    return c;
  }

  get alive(): boolean {
    return this.closedReason === undefined && this.ssh.isConnected();
  }

  /** Why the connection is gone (undefined while alive). */
  get closed(): string | undefined {
    return this.closedReason;
  }

  onClose(fn: (reason: string) => void): () => void {
    if (this.closedReason !== undefined) {
      fn(this.closedReason);
      return () => undefined;
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const fn of this.closeListeners) fn(reason);
    this.closeListeners.clear();
  }

  close(): void {
    this.markClosed('closed by pdflow');
    try {
      this.ssh.dispose();
    } catch {
      // already gone
    }
  }

  /** Runs one sh command line on its own channel (waits for a free channel slot first). */
  async exec(command: string, opts: RawExecOptions = {}): Promise<RawExecResult> {
    if (!this.alive) throw new ConnectionClosedError(this.closedReason ?? 'not connected', false);
    const release = await this.channels.acquire();
    try {
      return await this.execOnChannel(command, opts);
    } finally {
      release();
    }
  }

  private execOnChannel(command: string, opts: RawExecOptions): Promise<RawExecResult> {
    const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    return new Promise<RawExecResult>((resolve, reject) => {
      if (!this.alive) return reject(new ConnectionClosedError(this.closedReason ?? 'not connected', false));
      if (opts.signal?.aborted) return reject(new CommandAbortedError());
      let channel: ClientChannel | undefined;
      let settled = false;
      const stdout = new TailBuffer(cap);
      const stderr = new TailBuffer(cap);
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let sawExit = false;
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err) {
          try {
            channel?.close();
          } catch {
            // the channel may already be gone with its connection
          }
          reject(err);
          return;
        }
        resolve({ stdout: stdout.value(), stderr: stderr.value(), exitCode, signal: exitSignal, droppedBytes: { stdout: stdout.dropped, stderr: stderr.dropped } });
      };
      cleanups.push(this.onClose((reason) => finish(new ConnectionClosedError(reason, channel !== undefined))));
      if (opts.timeoutMs !== undefined) {
        const t = setTimeout(() => finish(new CommandTimeoutError(opts.timeoutMs!)), opts.timeoutMs);
        cleanups.push(() => clearTimeout(t));
      }
      if (opts.signal) {
        const onAbort = () => finish(new CommandAbortedError());
        opts.signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => opts.signal?.removeEventListener('abort', onAbort));
      }
      let client: Client;
      try {
        client = this.client;
      } catch (err) {
        return finish(err as Error);
      }
      client.exec(command, (err, ch) => {
        if (err) {
          // The server refused the channel (connection going away, or MaxSessions): nothing ran.
          return finish(new ConnectionClosedError(`could not open a channel: ${err.message}`, false));
        }
        channel = ch;
        if (settled) {
          ch.close();
          return;
        }
        ch.on('data', (d: Buffer) => stdout.push(d));
        ch.stderr.on('data', (d: Buffer) => stderr.push(d));
        ch.on('exit', (code: number | null, signalName?: string) => {
          sawExit = true;
          exitCode = typeof code === 'number' ? code : null;
          exitSignal = signalName ?? null;
        });
        ch.on('close', () => {
          if (!sawExit && !this.alive) return finish(new ConnectionClosedError(this.closedReason ?? 'connection closed', true));
          finish();
        });
        if (opts.stdin !== undefined) ch.end(opts.stdin);
        else ch.end();
      });
    });
  }
}
