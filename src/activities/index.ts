// The activity factory: every side effect pdflow performs is built here from its dependencies,
// so tests hand in real or scripted dependencies (DESIGN.md, rules of the house).
import { createHelloActivities } from './hello.js';

export interface ActivityDeps {
  /** Folder on the worker where run logs and copied results are written. */
  runsDir: string;
}

export function createActivities(_deps: ActivityDeps) {
  return {
    ...createHelloActivities(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
