// Connection to Temporal for the CLI and the worker: the standard Temporal environment
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, profiles) through
// @temporalio/envconfig, flags overriding, defaulting to the local dev server. The worker's native
// connection is in connect-native.ts: a client command never loads @temporalio/worker.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { Client, Connection } from '@temporalio/client';
import { TemporalUnreachableError } from './errors.js';
import { probeAddress } from './probe.js';

export interface ConnectFlags {
  address?: string;
  namespace?: string;
  profile?: string;
}

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

export function resolveConnectConfig(flags: ConnectFlags = {}) {
  const loaded = loadClientConnectConfig({ profile: flags.profile });
  const connectionOptions = { ...loaded.connectionOptions };
  connectionOptions.address = flags.address ?? connectionOptions.address ?? DEFAULT_ADDRESS;
  const namespace = flags.namespace ?? loaded.namespace ?? DEFAULT_NAMESPACE;
  return { connectionOptions, namespace, address: connectionOptions.address };
}

export async function connectClient(flags: ConnectFlags = {}): Promise<{ client: Client; connection: Connection; address: string; namespace: string }> {
  const { connectionOptions, namespace, address } = resolveConnectConfig(flags);
  await failFastIfUnreachable(address);
  try {
    const connection = await Connection.connect({ ...(connectionOptions as object), address, connectTimeout: '5s' } as Parameters<typeof Connection.connect>[0]);
    return { client: new Client({ connection, namespace }), connection, address, namespace };
  } catch (err) {
    throw new TemporalUnreachableError(address, (err as Error).message);
  }
}

export async function failFastIfUnreachable(address: string): Promise<void> {
  const reason = await probeAddress(address);
  if (reason) throw new TemporalUnreachableError(address, reason);
}
