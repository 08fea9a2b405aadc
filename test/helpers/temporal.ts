// Integration-test harness: a real Temporal dev server from the installed binary (never a
// download), on a free port, in memory unless a db file is given; and workers on it.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, freePort, type DevServer } from '../../src/common/dev-server.js';

export interface TestTemporal {
  env: TestWorkflowEnvironment;
  server: DevServer;
  address: string;
  teardown(): Promise<void>;
}

export async function startTestTemporal(opts: { dbFile?: string; extraArgs?: string[]; port?: number } = {}): Promise<TestTemporal> {
  const port = opts.port ?? (await freePort());
  const server = await startDevServer({
    port,
    headless: true,
    dbFile: opts.dbFile,
    extraArgs: opts.extraArgs,
    stdio: 'ignore',
    logLevel: 'error',
  });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  return {
    env,
    server,
    address: server.address,
    async teardown() {
      await env.teardown();
      await server.stop();
    },
  };
}

let seq = 0;
/** A task queue unique to this test process and call, so workers never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${seq++}`;
}
