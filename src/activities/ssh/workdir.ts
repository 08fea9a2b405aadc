// The node's workdir as an absolute path. The cluster file may say "~/pdflow" (resolved on the
// node); every later command gets a literal path so nothing relies on the remote shell's `~`.
import { execRaw } from './exec.js';
import { connectionKey, type SshPool } from './pool.js';
import type { NodeTarget } from './targets.js';

const cache = new WeakMap<SshPool, Map<string, Promise<string>>>();

/** Remote home, once per pool and connection target. */
async function remoteHome(pool: SshPool, target: NodeTarget): Promise<string> {
  const perPool = cache.get(pool) ?? new Map<string, Promise<string>>();
  cache.set(pool, perPool);
  const key = connectionKey(target);
  let p = perPool.get(key);
  if (!p) {
    // A fixed command text: no user value in it.
    p = execRaw(pool, target, `printf '%s\\n' "$HOME"`, 'printf $HOME', { idempotent: true }).then((r) => {
      const home = r.stdout.toString('utf8').trim();
      if (!home.startsWith('/')) throw new Error(`node ${target.name}: $HOME is not an absolute path (${JSON.stringify(home)}); set nodes[].workdir to an absolute path`);
      return home;
    });
    void p.catch(() => perPool.delete(key)); // a failed lookup is tried again next time
    perPool.set(key, p);
  }
  return p;
}

export async function resolveWorkdir(pool: SshPool, target: NodeTarget): Promise<string> {
  const w = target.workdir || '~/pdflow';
  if (w === '~') return remoteHome(pool, target);
  if (w.startsWith('~/')) return `${(await remoteHome(pool, target)).replace(/\/+$/, '')}/${w.slice(2)}`;
  if (!w.startsWith('/')) return `${(await remoteHome(pool, target)).replace(/\/+$/, '')}/${w}`;
  return w;
}
