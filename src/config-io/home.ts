import os from 'node:os';
import path from 'node:path';

/** `~` and `~/…` as the shell would expand them. */
export const expandHome = (p: string) => (p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);
