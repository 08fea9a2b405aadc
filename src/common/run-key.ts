/** The activity header that carries the workflow run's key (see workflows/interceptors.ts). */
export const RUN_KEY_HEADER = 'pdflow-run-key';
