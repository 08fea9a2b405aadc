// The simulated cluster's public API (tests, `pdflow sim`, `pdflow demo`).
export { startSimCluster, loadSimCluster, simStatus, sshArgsFor, DEFAULT_SIM_DIR, EMULATORS_BIN } from './cluster.js';
export type { SimNodeStatus } from './cluster.js';
export { SimInputError } from './errors.js';
export type { SimCluster, SimClusterOptions, SimFault, SimNode } from './types.js';
