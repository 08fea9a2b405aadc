// The results store a CLI command reads: --store PATH|URL, else PDFLOW_RESULTS_URL, else
// .pdflow/results.db in the current folder (where `pdflow worker` and `pdflow demo` write it).
import { RESULTS_URL_ENV, DEFAULT_STORE_FILE } from '../results-store/names.js';
import type { ResultsStore } from '../results-store/store.js';

export const STORE_FLAG_HELP = `the results store to read: a SQLite file or a postgres:// URL (default: $${RESULTS_URL_ENV}, else ${DEFAULT_STORE_FILE})`;

/** Opened read-only: a reader never creates a store. */
export async function readerStore(flag: string | undefined): Promise<ResultsStore> {
  const { defaultStoreSpec, openResultsStore } = await import('../results-store/store.js');
  return openResultsStore(flag?.trim() || defaultStoreSpec(), { readOnly: true });
}
