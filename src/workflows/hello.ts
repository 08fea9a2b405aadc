import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { greet } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', summary: 'greet' });

/** A one-activity pipeline: proves the server, the worker and the bundle. */
export async function hello(name: string): Promise<string> {
  return await greet(name);
}
