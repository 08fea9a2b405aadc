// What lets several simulated Ray clusters share this one machine: each sim cluster gets its own
// Ray ports (written into its cluster file, as a real cluster's file may set them) and its own
// Ray temp folder (RAY_TMPDIR in the node environment; Ray's default /tmp/ray would be shared,
// and with it `ray_current_cluster`, which `ray.init(address="auto")` reads).
import { createHash } from 'node:crypto';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import type { RayConfig } from '../config/cluster.js';

/** Short on purpose: Ray's Unix sockets live below it, and a socket path has at most 107 bytes. */
export const rayTmpDirOf = (clusterDir: string) => `/tmp/pdflow-ray-${createHash('sha256').update(clusterDir).digest('hex').slice(0, 10)}`;

/** The kernel's range for outgoing connections' local ports ([32768, 60999] unless configured). */
export async function ephemeralPortRange(): Promise<[number, number]> {
  try {
    const [lo, hi] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo! <= hi!) return [lo!, hi!];
  } catch { /* not Linux: assume the default */ }
  return [32768, 60999];
}

/**
 * Ports for the sim's Ray services: between Ray's worker ports (10002-19999) and the kernel's
 * ephemeral range. A port from the ephemeral range is only free when picked: before Ray binds it
 * (or binds it again after a node's reboot) any outgoing connection on the machine (SSH, gRPC,
 * HTTP probes) may take it as its local port, and a raylet whose agent cannot bind dies.
 */
export function rayPortWindow(ephemeralLow: number): [number, number] {
  const lo = 20000;
  const hi = Math.min(ephemeralLow - 1, 32767);
  if (hi - lo < 1000) throw new Error(`the ephemeral port range starts at ${ephemeralLow}: no room for the simulated cluster's Ray ports between 20000 and it; widen net.ipv4.ip_local_port_range`);
  return [lo, hi];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/** Distinct free ports outside the ephemeral range, few CPUs' worth of replicas. */
export async function simRayConfig(): Promise<RayConfig> {
  const [lo, hi] = rayPortWindow((await ephemeralPortRange())[0]);
  const ports = new Set<number>();
  // Random picks: clusters set up at the same time (tests, two `pdflow demo`s) rarely pick alike.
  for (let tries = 0; ports.size < 5; tries++) {
    if (tries > 1000) throw new Error(`no 5 free ports between ${lo} and ${hi} for the simulated cluster's Ray`);
    const p = lo + Math.floor(Math.random() * (hi - lo + 1));
    if (!ports.has(p) && (await canBind(p))) ports.add(p);
  }
  const [port, dashboardPort, dashboardAgentPort, clientServerPort, serveHttpPort] = [...ports] as [number, number, number, number, number];
  // A machine shared by simulated nodes has few cores: Ray is told each node has 16 CPUs (as it
  // would schedule on a real node), and one ingress replica keeps the processes few.
  return { port, dashboardPort, dashboardAgentPort, clientServerPort, serveHttpPort, numCpus: 16, serveIngressReplicas: 1 };
}
