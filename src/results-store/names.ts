// Where the results store is by default: its own module, for help texts that load nothing else.

/** The environment variable that names a shared PostgreSQL store (a secret: never in a file or a workflow input). */
export const RESULTS_URL_ENV = 'PDFLOW_RESULTS_URL';
/** The SQLite file when nothing else is said, relative to the current folder. */
export const DEFAULT_STORE_FILE = '.pdflow/results.db';
