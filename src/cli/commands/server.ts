import type { Command } from 'commander';
import { BadInputError } from '../errors.js';

export function registerServer(program: Command) {
  program
    .command('server')
    .description('Run the local Temporal dev server with its Web UI (SQLite persistence, pdflow search attributes)')
    .option('--ip <ip>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'gRPC port', '7233')
    .option('--ui-port <port>', 'Web UI port (default: port + 1000)')
    .option('--db <file>', 'SQLite file that keeps every workflow across restarts', '.pdflow/temporal.db')
    .option('--headless', 'no Web UI')
    .addHelpText('after', '\nExamples:\n  pdflow server\n  pdflow server --db /data/pdflow.db --port 7300\n')
    .action(async (o: { ip: string; port: string; uiPort?: string; db: string; headless?: boolean }) => {
      const port = Number(o.port);
      const uiPort = o.uiPort ? Number(o.uiPort) : port + 1000;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new BadInputError(`--port: "${o.port}" is not a port number (1-65535)`);
      if (!Number.isInteger(uiPort) || uiPort <= 0 || uiPort > 65535) throw new BadInputError(`--ui-port: "${o.uiPort}" is not a port number`);
      const { startDevServer, PortInUseError } = await import('../../common/dev-server.js');
      let server;
      try {
        server = await startDevServer({ ip: o.ip, port, uiPort, dbFile: o.db, headless: o.headless });
      } catch (err) {
        if (err instanceof PortInUseError) throw new BadInputError(err.message);
        throw err;
      }
      console.log(`Temporal server: ${server.address} (namespace default, data in ${o.db})`);
      if (server.uiUrl) console.log(`Web UI:          ${server.uiUrl}`);
      console.log('Press Ctrl-C to stop.');
      const stop = () => void server.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
      console.log('Temporal server stopped.');
    });
}
