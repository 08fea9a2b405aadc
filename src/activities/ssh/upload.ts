// Uploads scripts/remote/ to <workdir>/scripts on a node, skipped when the content hash stored
// there matches. One exec carries every file (base64 lines on stdin) into a fresh folder that
// then replaces the old one by rename, so a half-done upload is never used. Running jobs keep
// their open script files (rename does not touch open inodes).
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../common/source-dir.js';
import { buildCommand } from './quote.js';
import { execRaw } from './exec.js';
import { remoteCommandFailed } from './errors.js';
import { connectionKey, type SshPool } from './pool.js';
import type { NodeTarget } from './targets.js';
import { resolveWorkdir } from './workdir.js';

/** scripts/remote in this checkout. */
export const LOCAL_REMOTE_SCRIPTS = path.join(projectRoot, 'scripts/remote');

export const HASH_FILE = '.pdflow-hash';

export interface ScriptBundle {
  dir: string;
  hash: string;
  files: { rel: string; mode: number; content: Buffer }[];
}

async function walk(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      if (d.name === '__pycache__' || d.name === 'node_modules') continue;
      out.push(...(await walk(dir, r)));
    } else if (d.isFile() && !d.name.endsWith('.pyc')) out.push(r);
  }
  return out;
}

/** Reads the scripts folder and hashes names, modes and contents. */
export async function readScriptBundle(dir: string = LOCAL_REMOTE_SCRIPTS): Promise<ScriptBundle> {
  const h = createHash('sha256');
  const files: ScriptBundle['files'] = [];
  for (const rel of await walk(dir)) {
    const full = path.join(dir, rel);
    const [content, st] = await Promise.all([readFile(full), stat(full)]);
    const mode = st.mode & 0o111 ? 0o755 : 0o644;
    files.push({ rel, mode, content });
    h.update(`${rel}\0${mode.toString(8)}\0${content.length}\0`).update(content);
  }
  return { dir, hash: h.digest('hex').slice(0, 32), files };
}

/** Fixed installer text; the destination and hash arrive as positional arguments. */
const INSTALL_SCRIPT = `set -eu
dest=$1; hash=$2; tmp="$dest.tmp.$$"; old="$dest.old.$$"
rm -rf "$tmp"; mkdir -p "$tmp"
while read -r mode p64 c64; do
  p=$(printf '%s' "$p64" | base64 -d)
  case "$p" in /*|*..*) echo "refusing path $p" >&2; exit 3;; esac
  mkdir -p "$tmp/$(dirname "$p")"
  printf '%s' "\${c64:-}" | base64 -d > "$tmp/$p"
  chmod "$mode" "$tmp/$p"
done
printf '%s\\n' "$hash" > "$tmp/${HASH_FILE}"
if [ -e "$dest" ]; then mv "$dest" "$old"; fi
mv "$tmp" "$dest"
rm -rf "$old"
`;

export function installerStdin(bundle: ScriptBundle): string {
  return bundle.files.map((f) => `${f.mode.toString(8)} ${Buffer.from(f.rel).toString('base64')} ${f.content.toString('base64')}\n`).join('');
}

export interface UploadResult {
  node: string;
  dest: string;
  hash: string;
  uploaded: boolean;
}

/** Per pool: node key -> hash known to be on the node (saves the check on every activity). */
const known = new WeakMap<SshPool, Map<string, string>>();

export async function uploadScripts(
  pool: SshPool,
  target: NodeTarget,
  opts: { bundle?: ScriptBundle; force?: boolean; signal?: AbortSignal } = {},
): Promise<UploadResult> {
  const bundle = opts.bundle ?? (await readScriptBundle());
  const workdir = await resolveWorkdir(pool, target);
  const dest = `${workdir}/scripts`;
  const perPool = known.get(pool) ?? new Map<string, string>();
  known.set(pool, perPool);
  const cacheKey = `${connectionKey(target)} ${dest}`;
  if (!opts.force && perPool.get(cacheKey) === bundle.hash) return { node: target.name, dest, hash: bundle.hash, uploaded: false };

  if (!opts.force) {
    const check = buildCommand(['cat', `${dest}/${HASH_FILE}`]);
    const r = await execRaw(pool, target, `${check} 2>/dev/null || true`, `cat ${dest}/${HASH_FILE}`, { idempotent: true, signal: opts.signal });
    if (r.stdout.toString('utf8').trim() === bundle.hash) {
      perPool.set(cacheKey, bundle.hash);
      return { node: target.name, dest, hash: bundle.hash, uploaded: false };
    }
  }
  const cmd = buildCommand(['sh', '-c', INSTALL_SCRIPT, 'pdflow-install', dest, bundle.hash]);
  const shown = `install scripts/remote into ${dest}`;
  const r = await execRaw(pool, target, cmd, shown, { stdin: installerStdin(bundle), idempotent: true, signal: opts.signal });
  if (r.exitCode !== 0) {
    throw remoteCommandFailed({
      node: target.name,
      command: shown,
      exitCode: r.exitCode,
      signal: r.signal,
      tail: r.stderr.toString('utf8').slice(-2000),
      hint: `Check that ${workdir} is writable by ${target.user} and that base64 (coreutils) is installed on the node.`,
      retryable: true,
    });
  }
  perPool.set(cacheKey, bundle.hash);
  return { node: target.name, dest, hash: bundle.hash, uploaded: true };
}

/** Forgets what the pool knows about a node's scripts (e.g. after the runner went missing). */
export function forgetUploadedScripts(pool: SshPool): void {
  known.delete(pool);
}
