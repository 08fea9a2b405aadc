// Streams a remote job's log into the worker's run folder, byte for byte except that secret
// values are overwritten with '*' of the same length (so file size and remote offset agree and a
// resumed attempt continues where the file ends). Tracks the last `::phase` line.
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_PHASE_PATTERN = /^::phase (\w+)/;

/** Redacts secrets in a byte buffer without changing its length (latin1 maps bytes 1:1). */
export function redactSameLength(buf: Buffer, secrets: readonly Buffer[]): Buffer {
  if (secrets.length === 0) return buf;
  let s = buf.toString('latin1');
  for (const sec of secrets) s = s.replaceAll(sec.toString('latin1'), '*'.repeat(sec.length));
  return Buffer.from(s, 'latin1');
}

export interface LogStreamOptions {
  file: string;
  /** Bytes of the remote log already in `file` (from the previous attempt's heartbeat). */
  resumeOffset: number;
  /** Start a fresh file (a new run of the job). */
  fresh: boolean;
  secrets: readonly string[];
  phasePattern?: RegExp;
  phase?: string;
  onLine?: (line: string) => void;
}

export class LogStream {
  private fh?: FileHandle;
  private pending: Buffer = Buffer.alloc(0);
  private partialLine = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly secrets: Buffer[];
  private readonly keep: number;
  /** Remote log bytes written to the local file. */
  written = 0;
  phase: string | undefined;

  private constructor(private readonly o: LogStreamOptions) {
    this.secrets = o.secrets.filter((s) => s.length > 0).map((s) => Buffer.from(s, 'utf8'));
    // Hold back enough bytes that a secret split across two reads is still caught.
    this.keep = Math.max(0, ...this.secrets.map((s) => s.length - 1));
    this.phase = o.phase;
  }

  /** Opens the file and returns the remote offset to read from (never past what the file holds). */
  static async open(o: LogStreamOptions): Promise<LogStream> {
    const ls = new LogStream(o);
    await mkdir(path.dirname(o.file), { recursive: true });
    const size = o.fresh ? 0 : await stat(o.file).then((s) => s.size, () => 0);
    const start = Math.min(o.fresh ? 0 : o.resumeOffset, size);
    ls.fh = await open(o.file, size === 0 && start === 0 ? 'w' : 'r+');
    await ls.fh.truncate(start);
    ls.written = start;
    return ls;
  }

  /** Remote offset the next read starts at. */
  get remoteOffset(): number {
    return this.written + this.pending.length;
  }

  async push(chunk: Buffer): Promise<void> {
    const data = redactSameLength(Buffer.concat([this.pending, chunk]), this.secrets);
    const cut = Math.max(0, data.length - this.keep);
    await this.write(data.subarray(0, cut));
    this.pending = data.subarray(cut);
  }

  /** Writes what was held back (the job ended). */
  async flush(): Promise<void> {
    await this.write(this.pending);
    this.pending = Buffer.alloc(0);
    this.partialLine += this.decoder.end();
    if (this.partialLine) this.line(this.partialLine);
    this.partialLine = '';
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }

  private async write(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    await this.fh!.write(b, 0, b.length, this.written);
    this.written += b.length;
    const text = this.partialLine + this.decoder.write(b);
    const lines = text.split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  private line(l: string): void {
    const m = (this.o.phasePattern ?? DEFAULT_PHASE_PATTERN).exec(l);
    if (m) this.phase = m[1] ?? m[0];
    this.o.onLine?.(l);
  }
}
