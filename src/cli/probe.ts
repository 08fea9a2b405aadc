// A quick TCP look at the Temporal address before the gRPC client tries: a refused connection or
// an unknown host is reported at once and in words, instead of after the client's connect timeout.
import net from 'node:net';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there (connection refused)',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'the host name cannot be resolved right now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** "host:port" or "[v6]:port" → parts; undefined for anything else (then no probe). */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]\s/]+?)\]?:(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  return { host: m[1]!, port: Number(m[2]) };
}

/** Why the address cannot be reached, or undefined when it answers (or the probe cannot tell). */
export function probeAddress(address: string, timeoutMs = 2000): Promise<string | undefined> {
  const target = splitAddress(address);
  if (!target) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(REASONS[err.code ?? ''] ?? undefined));
  });
}
