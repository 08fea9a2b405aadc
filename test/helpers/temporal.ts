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
  const env = await connectWhenHealthy(server);
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

/** The port listens before the frontend is healthy ("Frontend is not healthy yet"): retry for a while. */
async function connectWhenHealthy(server: DevServer, timeoutMs = 30_000): Promise<TestWorkflowEnvironment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
    } catch (err) {
      if (!/not healthy yet|unavailable/i.test((err as Error).message) || Date.now() > deadline) {
        await server.stop();
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let seq = 0;
/** A task queue unique to this test process and call, so workers never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${seq++}`;
}
