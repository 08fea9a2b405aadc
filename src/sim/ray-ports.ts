// What lets several simulated Ray clusters share this one machine: each sim cluster gets its own
// Ray ports (written into its cluster file, as a real cluster's file may set them) and its own
// Ray temp folder (RAY_TMPDIR in the node environment; Ray's default /tmp/ray would be shared,
// and with it `ray_current_cluster`, which `ray.init(address="auto")` reads).
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { RayConfig } from '../config/cluster.js';

/** Short on purpose: Ray's Unix sockets live below it, and a socket path has at most 107 bytes. */
export const rayTmpDirOf = (clusterDir: string) => `/tmp/pdflow-ray-${createHash('sha256').update(clusterDir).digest('hex').slice(0, 10)}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

/** Distinct free ports (the kernel's ephemeral range, clear of Ray's worker ports 10002-19999), few CPUs' worth of replicas. */
export async function simRayConfig(): Promise<RayConfig> {
  const ports = new Set<number>();
  while (ports.size < 5) {
    const p = await freePort();
    if (p < 10002 || p > 19999) ports.add(p);
  }
  const [port, dashboardPort, dashboardAgentPort, clientServerPort, serveHttpPort] = [...ports] as [number, number, number, number, number];
  // A machine shared by simulated nodes has few cores: Ray is told each node has 16 CPUs (as it
  // would schedule on a real node), and one ingress replica keeps the processes few.
  return { port, dashboardPort, dashboardAgentPort, clientServerPort, serveHttpPort, numCpus: 16, serveIngressReplicas: 1 };
}
