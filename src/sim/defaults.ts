// Where `pdflow sim` keeps a simulated cluster unless told (its own module: the CLI's help names it
// without loading the simulator).
export const DEFAULT_SIM_DIR = '.pdflow/sim';
