// One real OpenSSH sshd per simulated node: its config, its start (detached, so it outlives the
// process that asked for it), readiness, and its stop. Works as root and as an ordinary user.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { descendants, isAlive, killPids, readCmdline, readExe } from './processes.js';
import type { SimNode } from './types.js';
import { gpuNodeEnv } from './gpu/index.js';
import { rayTmpDirOf } from './ray-ports.js';

export interface SshdEnv {
  node: SimNode;
  clusterDir: string;
  authorizedKeysFile: string;
  emulatorsBin: string;
  timeScale: number;
  /** HF_ENDPOINT of the cluster's emulated hub. */
  hubEndpoint?: string;
}

/** The session environment every command on the node sees (sshd SetEnv). */

export function nodeSessionEnv(e: SshdEnv): Record<string, string> {
  return {
    PDFLOW_SIM_NODE: e.node.name,
    PDFLOW_SIM_STATE: e.node.stateDir,
    PDFLOW_SIM_CLUSTER: e.clusterDir,
    PDFLOW_SIM_TIME_SCALE: String(e.timeScale),
    PATH: `${e.emulatorsBin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: e.node.home,
    RAY_TMPDIR: rayTmpDirOf(e.clusterDir),
    // The GCS notices a dead raylet (a rebooted node) after 5 failed checks: 1 s apart here, 3 s in Ray's default.
    RAY_health_check_period_ms: '1000',
    // The GPU side: fake sysfs, the local wheelhouse for pip, git redirected to the fake sources.
    ...gpuNodeEnv(e.clusterDir, e.node, e.hubEndpoint),
  };
}

export function sshdConfigText(e: SshdEnv): string {
  const setEnv = Object.entries(nodeSessionEnv(e))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `# pdflow simulated node ${e.node.name} (generated; pdflow sim down stops it)`,
    `ListenAddress ${e.node.host}:${e.node.port}`,
    `HostKey ${e.node.hostKeyPath}`,
    `PidFile ${e.node.stateDir}/sshd.pid`,
    `AuthorizedKeysFile ${e.authorizedKeysFile}`,
    'PubkeyAuthentication yes',
    'AuthenticationMethods publickey',
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'X11Forwarding no',
    // A connection pool opens many channels per connection and several connections at once.
    'MaxSessions 64',
    'MaxStartups 200',
    'LoginGraceTime 30',
    `SetEnv ${setEnv}`,
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

export async function writeSshdConfig(e: SshdEnv): Promise<void> {
  await writeFile(e.node.sshdConfig, sshdConfigText(e), { mode: 0o600 });
}

/** As root, sshd's privilege separation wants /run/sshd; as a user it is not needed. */
export function ensurePrivsepDir(): void {
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
}

/**
 * Starts the node's sshd detached and returns its pid. With `delaySeconds` a small shell waits
 * first and then execs sshd, so the returned pid becomes the listener (used by "reboot").
 */
export function spawnSshd(sshdBinary: string, node: SimNode, clusterDir: string, delaySeconds = 0): number {
  ensurePrivsepDir();
  const log = openSync(node.logPath, 'a');
  const sshdArgs = ['-D', '-e', '-f', node.sshdConfig];
  const [cmd, args] =
    delaySeconds > 0
      ? ['/bin/sh', ['-c', 'sleep "$1" && exec "$2" -D -e -f "$3"', 'pdflow-sim-reboot', String(delaySeconds), sshdBinary, node.sshdConfig]]
      : [sshdBinary, sshdArgs];
  try {
    const child = spawn(cmd, args as string[], {
      detached: true,
      stdio: ['ignore', log, log],
      // A small, known environment; the markers let `stop` find anything left behind.
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', PDFLOW_SIM_CLUSTER: clusterDir, PDFLOW_SIM_SSHD: node.name },
    });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${cmd} for sim node ${node.name}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * The pid is still this node's listener (or its pending restart): its command line names our
 * config. (sshd shows "sshd: <argv> [listener] ..." as its title, hence the substring test.)
 */
export function isNodeSshd(pid: number, node: SimNode): boolean {
  return isAlive(pid) && readCmdline(pid).join(' ').includes(node.sshdConfig);
}

function logTail(node: SimNode): string {
  try {
    return readFileSync(node.logPath, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}

function bannerOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let data = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (!data.includes('\n')) return;
      // Answer with a banner before closing, so sshd does not log a failed key exchange.
      if (data.startsWith('SSH-')) sock.write('SSH-2.0-pdflow-probe\r\n', () => done(true));
      else done(false);
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(data.startsWith('SSH-')));
  });
}

/** Resolves once the node's sshd sends its banner; throws with its log if it died or timed out. */
export async function waitForBanner(node: SimNode, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await bannerOnce(node.host, node.port)) return;
    if (!isAlive(node.sshdPid)) {
      throw new Error(`sshd for sim node ${node.name} (${node.host}:${node.port}) exited at start. Its log (${node.logPath}):\n${logTail(node)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`sshd for sim node ${node.name} did not answer on ${node.host}:${node.port} within ${timeoutMs} ms. Log (${node.logPath}):\n${logTail(node)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isSshdExe(pid: number): boolean {
  return readExe(pid)?.endsWith('/sshd') ?? false;
}

/**
 * Stops (SIGSTOP) the sshd processes below `root` until none is left unfrozen, so none can fork
 * while we collect them, and returns them. sshd rewrites its environment area with its process
 * title, so parentage, not an environment marker, is how we find a node's connections.
 */
function freezeSessions(root: number): number[] {
  const frozen = new Set<number>();
  for (let round = 0; round < 10; round++) {
    const fresh = descendants(root, isSshdExe).filter((pid) => !frozen.has(pid));
    if (!fresh.length) break;
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  return [...frozen];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Like a network drop: every connection's sshd processes die at once; the listener stays. */
export async function killSessions(node: SimNode): Promise<void> {
  if (!isNodeSshd(node.sshdPid, node)) return;
  await killPids(freezeSessions(node.sshdPid), { hard: true });
}

/**
 * Kills a node's listener (or its pending restart and the sleep it waits on) and every
 * connection of it; the commands those connections ran are left to the caller.
 */
export async function stopSshd(node: SimNode): Promise<void> {
  const pid = node.sshdPid;
  if (!isNodeSshd(pid, node)) return;
  signal(pid, 'SIGSTOP'); // no new connection from here on
  const below = isSshdExe(pid) ? freezeSessions(pid) : descendants(pid);
  await killPids([pid, ...below], { hard: true });
}
