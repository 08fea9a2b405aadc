// The worker's connection to Temporal (a NativeConnection, from @temporalio/worker), configured as
// the CLI's client connection is (connect.ts).
import { NativeConnection } from '@temporalio/worker';
import { failFastIfUnreachable, resolveConnectConfig, type ConnectFlags } from './connect.js';
import { TemporalUnreachableError } from './errors.js';

export async function connectNative(flags: ConnectFlags = {}): Promise<{ connection: NativeConnection; address: string; namespace: string }> {
  const { connectionOptions, namespace, address } = resolveConnectConfig(flags);
  await failFastIfUnreachable(address);
  try {
    const connection = await NativeConnection.connect({ ...connectionOptions, address });
    return { connection, address, namespace };
  } catch (err) {
    throw new TemporalUnreachableError(address, (err as Error).message);
  }
}
