// SQLite through better-sqlite3 (12.x: the line that builds on Node 20): the default store, one
// file on the worker's machine. WAL, so `pdflow results` reads while a worker writes.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDb } from './sql.js';

/**
 * Opens (creating it and its folder) the SQLite file; `readOnly`: never creates the file, and
 * answers undefined when it does not exist.
 */
export function openSqlite(file: string, opts: { readOnly?: boolean } = {}): SqlDb | undefined {
  if (opts.readOnly && !existsSync(file)) return undefined;
  if (!opts.readOnly) mkdirSync(path.dirname(file), { recursive: true });
  // A reader opens read-write all the same: a WAL database needs its -shm file, which a
  // read-only connection may not be able to create once the worker has closed it.
  const db = new Database(file, { fileMustExist: !!opts.readOnly });
  db.pragma('busy_timeout = 10000');
  if (!opts.readOnly) db.pragma('journal_mode = WAL');
  return {
    all: <T>(sql: string, params: unknown[]) => Promise.resolve(db.prepare(sql).all(...params) as T[]),
    run: (sql: string, params: unknown[]) => {
      db.prepare(sql).run(...params);
      return Promise.resolve();
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
