import type { NodeHardware } from './gpu/index.js';
// Shapes of the simulated cluster (see the shared contract "Simulated cluster").

export interface SimClusterOptions {
  /** Folder for everything the simulator writes (keys, configs, per-node homes, state). */
  dir: string;
  /** Cluster name in the cluster file ([a-z0-9-]); default "sim". */
  name?: string;
  /** Worker nodes besides the head; default 2. */
  workers?: number;
  /** GPUs per worker; default 8. The head is a CPU node unless perNodeGpus says otherwise. */
  gpusPerNode?: number;
  gpuModel?: string;
  /** GPU count by node name, e.g. { head: 8, 'worker-2': 4 }. */
  perNodeGpus?: Record<string, number>;
  /** Per node: hardware.json overrides for the GPU emulation (e.g. { efaDevices: 0 }). */
  hardware?: Record<string, Partial<NodeHardware>>;
  /** Loopback prefix; default "127.0.0.". */
  hostPrefix?: string;
  /** Last octet of the head; workers follow. Default 10. */
  firstHostOctet?: number;
  /** One port for every node (they differ by address); default: a free port per node. */
  port?: number;
  /** Multiplies every emulated duration (PDFLOW_SIM_TIME_SCALE on the nodes); default 1. */
  timeScale?: number;
  /**
   * Starting again in a folder where a stopped cluster ran: keep what its nodes installed (venv,
   * UCX and NIXL builds, model weights), as a real machine keeps its disk across a reboot, and
   * drop the rest (jobs, Ray's state, GPU state). Tests share one prepared cluster this way.
   */
  keepInstalls?: boolean;
}

export interface SimNode {
  name: string;
  role: 'head' | 'worker';
  host: string;
  port: number;
  gpus: number;
  workdir: string;
  home: string;
  stateDir: string;
  /** The node's sshd listener (or, during a "reboot", the waiting process that becomes it). */
  sshdPid: number;
  sshdConfig: string;
  hostKeyPath: string;
  logPath: string;
}

export type SimFault =
  | { kind: 'drop' }
  | { kind: 'reboot'; seconds: number }
  | { kind: 'fail'; program: string; times: number; exitCode: number }
  | { kind: 'hang'; program: string }
  | { kind: 'slow'; program: string; factor: number };

/** Program faults of one node, as <stateDir>/faults.json (read by the emulators' shared helper). */
export interface ProgramFaults {
  /** `id` names the consumption log <stateDir>/faults.consumed/<id>, one line per failed run. */
  fail?: Record<string, { id: string; times: number; exitCode: number }>;
  hang?: Record<string, true>;
  slow?: Record<string, number>;
}

/** <dir>/state.json: what another process needs to find, fault and stop the cluster. */
export interface SimState {
  version: 1;
  name: string;
  dir: string;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  clusterFile: string;
  sshdBinary: string;
  emulatorsBin: string;
  timeScale: number;
  /** HF_ENDPOINT of the cluster's emulated Hugging Face hub (src/sim/hub). */
  hubEndpoint?: string;
  createdAt: string;
  nodes: SimNode[];
}

export interface SimCluster {
  name: string;
  dir: string;
  clusterFile: string;
  nodes: SimNode[];
  user: string;
  keyPath: string;
  knownHostsPath: string;
  /** Stops exactly the processes the cluster started: sshd listeners, their sessions, and every
   * process carrying PDFLOW_SIM_CLUSTER=<dir> (jobs started detached on a node). */
  stop(): Promise<void>;
  fault(node: string, f: SimFault): Promise<void>;
  clearFaults(node?: string): Promise<void>;
  /** How often an emulated program started on a node (lines in <stateDir>/runs/<program>). */
  countRuns(node: string, program: string): number;
  node(name: string): SimNode;
  /** argv for the plain `ssh` client reaching a node with strict host key checking. */
  sshArgs(node: string, remoteCommand?: string[]): string[];
}
