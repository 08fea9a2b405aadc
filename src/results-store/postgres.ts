// PostgreSQL through `pg`: the shared store when the worker's environment gives
// PDFLOW_RESULTS_URL. The URL is a secret: it is only ever read from the environment or a flag,
// and shown without its password.
import pg from 'pg';
import type { SqlDb } from './sql.js';

/** `?` placeholders → `$1, $2, …` (our statements hold no `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function openPostgres(url: string): SqlDb {
  // allowExitOnIdle: a CLI process (or a stopping worker) exits once its queries are done.
  const pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // an idle client's broken connection: the next query reconnects
  return {
    all: async <T>(sql: string, params: unknown[]) => (await pool.query(numberPlaceholders(sql), params)).rows as T[],
    run: async (sql: string, params: unknown[]) => {
      await pool.query(numberPlaceholders(sql), params);
    },
    close: () => pool.end(),
  };
}

export { redactUrl } from './redact-url.js';
