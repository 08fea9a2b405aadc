// The first activity: proves the worker, the server and the activity factory work together.
import os from 'node:os';
import { log } from '@temporalio/activity';

export function createHelloActivities() {
  return {
    async greet(name: string): Promise<string> {
      log.info('greeting', { name });
      return `Hello, ${name}, from worker ${os.hostname()} (pid ${process.pid})`;
    },
  };
}
