// The local Temporal dev server (`temporal server start-dev`) with pdflow's defaults: SQLite
// persistence, the Web UI without its news fetch, pdflow's search attributes registered.
// Used by `pdflow server`, `pdflow demo` and the integration-test harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findTemporalBinary } from './tools.js';
import { SEARCH_ATTRIBUTE_FLAGS } from './search-attributes.js';

export interface DevServerOptions {
  ip?: string;
  port?: number;
  uiPort?: number;
  /** SQLite file; undefined keeps state in memory only. */
  dbFile?: string;
  headless?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /** e.g. ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'] */
  extraArgs?: string[];
  /** Where the server's own output goes; default: inherited. */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  /** Keep running after this process exits (output to `logFile`). */
  detached?: boolean;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly address: string, what: string) {
    super(`${what} port ${address} is already in use. Stop what listens there, or choose another port (--port / --ui-port).`);
    this.name = 'PortInUseError';
  }
}

export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A free TCP port on the given address (for tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  if (await isPortOpen(ip, port)) throw new PortInUseError(`${ip}:${port}`, 'Temporal gRPC');
  if (!opts.headless && (await isPortOpen(ip, uiPort))) throw new PortInUseError(`${ip}:${uiPort}`, 'Web UI');
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', opts.logLevel ?? 'warn'];
  if (opts.dbFile) {
    mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
  args.push(...SEARCH_ATTRIBUTE_FLAGS, ...(opts.extraArgs ?? []));

  const out = opts.logFile ? openSync(opts.logFile, 'a') : undefined;
  const child = spawn(findTemporalBinary(), args, {
    stdio: out !== undefined ? ['ignore', out, out] : opts.stdio ?? 'inherit',
    detached: opts.detached,
  });
  if (opts.detached) child.unref();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (!(await isPortOpen(ip, port))) {
    if (exited !== undefined) throw new Error(`temporal server start-dev exited with code ${exited} before listening on ${ip}:${port}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal server start-dev did not listen on ${ip}:${port} within ${opts.startTimeoutMs ?? 30_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `${ip}:${port}`,
    uiUrl: opts.headless ? undefined : `http://${ip}:${uiPort}`,
    process: child,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
