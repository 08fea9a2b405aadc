// Checks of the cluster file's worker-side paths that only the file system can make. The worker
// may run on another machine, so a path that does not exist here is not an error; one that is a
// folder here is (a key or known_hosts file is never a folder).
import { stat } from 'node:fs/promises';
import type { ClusterConfig, ConfigIssue } from '../config/index.js';
import { expandHome as expand } from './home.js';

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(expand(p))).isDirectory();
  } catch {
    return false;
  }
}

export async function localPathIssues(cluster: ClusterConfig, file: string): Promise<ConfigIssue[]> {
  const checks = [
    { field: 'ssh.identityFile', value: cluster.ssh.identityFile, hint: 'give the private key file itself, e.g. ~/.ssh/id_ed25519' },
    { field: 'ssh.knownHosts', value: cluster.ssh.knownHosts, hint: 'give the known_hosts file itself, e.g. ~/.ssh/known_hosts' },
  ];
  const issues: ConfigIssue[] = [];
  for (const c of checks) {
    if (await isDirectory(c.value)) issues.push({ file, path: c.field, message: 'is a directory, not a file', value: c.value, hint: c.hint });
  }
  return issues;
}
