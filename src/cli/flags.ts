import type { Command } from 'commander';
import type { ConnectFlags } from './connect.js';

/** The global connection flags (--address, --namespace, --profile) seen from a sub-command. */
export function connectFlags(cmd: Command): ConnectFlags {
  const o = cmd.optsWithGlobals() as ConnectFlags;
  return { address: o.address, namespace: o.namespace, profile: o.profile };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
