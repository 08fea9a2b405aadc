// Process bookkeeping for the simulator, read from /proc. We find our processes by pid, by
// parentage or by a marker in their environment, never by name, so nothing else on the machine
// is ever signalled.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** pid, parent and state from /proc/<pid>/stat (the command name may hold spaces and parens). */
export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** The session id of a process (field 6 of /proc/<pid>/stat). */
export function sessionOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const info = procInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

export function readEnviron(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

export function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The pids of this process and its ancestors: never ours to kill, whatever their environment. */
export function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  let pid: number | undefined = process.pid;
  while (pid && pid > 1 && !out.has(pid)) {
    out.add(pid);
    pid = procInfo(pid)?.ppid;
  }
  return out;
}

/** Live processes whose environment holds every one of the given NAME=value entries. */
export function pidsWithEnv(entries: string[]): number[] {
  const skip = selfAndAncestors();
  const out: number[] = [];
  for (const pid of allPids()) {
    if (skip.has(pid) || !isAlive(pid)) continue;
    const env = readEnviron(pid);
    if (env && entries.every((e) => env.includes(e))) out.push(pid);
  }
  return out;
}

/** Children by parent, for one snapshot of /proc. */
export function childrenMap(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (!info || info.state === 'Z') continue;
    const list = map.get(info.ppid) ?? [];
    list.push(pid);
    map.set(info.ppid, list);
  }
  return map;
}

/** Descendants of `root` (not root itself); `follow` decides whether to descend below a child. */
export function descendants(root: number, follow: (pid: number) => boolean = () => true): number[] {
  const kids = childrenMap();
  const out: number[] = [];
  const queue = [...(kids.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    if (!follow(pid)) continue;
    out.push(pid);
    queue.push(...(kids.get(pid) ?? []));
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM (unless `hard`), wait up to graceMs, then SIGKILL whatever is left. Resolves when all are gone. */
export async function killPids(pids: number[], opts: { graceMs?: number; hard?: boolean } = {}): Promise<void> {
  const live = pids.filter(isAlive);
  if (!live.length) return;
  const graceMs = opts.hard ? 0 : (opts.graceMs ?? 1000);
  if (!opts.hard) for (const pid of live) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && live.some(isAlive)) await sleep(25);
  for (const pid of live) if (isAlive(pid)) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && live.some(isAlive)) await sleep(10);
}

/**
 * The given processes and all their descendants, from one /proc snapshot. Ray's workers and the
 * dashboard's modules rename themselves (setproctitle), which overwrites their environment area,
 * so an environment marker finds only the daemons; their children are found by parentage.
 */
export function withDescendants(pids: number[]): number[] {
  const kids = childrenMap();
  const skip = selfAndAncestors();
  const out = new Set<number>();
  // Members of their sessions too: a child forked just before its parent died has been reparented.
  const sessions = new Set(pids.map(sessionOf).filter((x): x is number => x !== undefined && x > 1));
  const mySession = sessionOf(process.pid);
  if (mySession !== undefined) sessions.delete(mySession);
  const members = sessions.size ? allPids().filter((p) => { const s = sessionOf(p); return s !== undefined && sessions.has(s); }) : [];
  const queue = [...pids, ...members];
  while (queue.length) {
    const pid = queue.shift()!;
    if (out.has(pid) || skip.has(pid)) continue;
    out.add(pid);
    queue.push(...(kids.get(pid) ?? []));
  }
  return [...out];
}
