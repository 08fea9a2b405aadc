// Exit codes of the pdflow CLI: 0 ok, 1 the run failed, 2 bad input, 3 Temporal unreachable.
export const EXIT = { ok: 0, runFailed: 1, badInput: 2, temporalUnreachable: 3 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

export class BadInputError extends CliError {
  constructor(message: string) {
    super(message, EXIT.badInput);
    this.name = 'BadInputError';
  }
}

export class TemporalUnreachableError extends CliError {
  constructor(address: string, cause: string) {
    super(
      `Cannot reach Temporal at ${address}: ${cause}\n` +
        `Start a local server with \`npx pdflow server\` (or \`npm run demo\`), or point TEMPORAL_ADDRESS / a profile at your server.`,
      EXIT.temporalUnreachable,
    );
    this.name = 'TemporalUnreachableError';
  }
}

export class RunFailedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.runFailed);
    this.name = 'RunFailedError';
  }
}
