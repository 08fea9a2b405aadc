// The activity factory: every side effect pdflow performs is built here from its dependencies,
// so tests hand in real or scripted dependencies (docs/architecture.md, "Layers").
import { createHelloActivities } from './hello.js';
import { createRunConfigActivities } from './run-config.js';
import { createRemoteActivities } from './remote.js';
import { createStageActivities } from './stages/index.js';
import type { SshPool } from './ssh/pool.js';
import { createStoreActivities } from './store.js';
import { openResultsStore, workerStoreSpec, type ResultsStore } from '../results-store/store.js';

export interface ActivityDeps {
  /** Folder on the worker where run logs and copied results are written. */
  runsDir: string;
  /** The worker's SSH connection pool (one connection per node for every activity); its owner closes it. */
  sshPool: SshPool;
  /**
   * Where every sweep record is written as it is made. Default: PDFLOW_RESULTS_URL from the
   * worker's environment, else SQLite `results.db` beside the runs folder (.pdflow/ for
   * `pdflow worker`).
   */
  resultsStore?: ResultsStore;
}

export function createActivities(deps: ActivityDeps) {
  let store = deps.resultsStore;
  const resultsStore = () => (store ??= openResultsStore(workerStoreSpec(deps.runsDir)));
  return {
    ...createStoreActivities({ resultsStore }),
    ...createHelloActivities(),
    ...createRunConfigActivities(),
    ...createRemoteActivities(deps),
    ...createStageActivities({ pool: () => deps.sshPool, runsDir: deps.runsDir }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { GpuSamplerStarted, GpuSamplingStartInput, GpuSamplingStopInput, GpuSamplingSummary } from './stages/gpu-sampling.js';
