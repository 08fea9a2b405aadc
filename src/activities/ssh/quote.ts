// The ONE place that turns values into POSIX sh text. Every remote command pdflow sends is built
// from an argument array here; nothing else concatenates user values into shell text.

/** Characters that never need quoting in sh (kept bare so commands stay readable in logs). */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Environment variable names sh accepts in an assignment. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class CommandBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandBuildError';
  }
}

/**
 * Quotes one argument so sh passes it to the program as exactly one literal word: single quotes
 * around it, each embedded `'` written as `'\''`. Newlines, `$`, `;`, globs and unicode stay
 * literal inside single quotes. A NUL byte cannot be passed through argv at all, so it is refused.
 */
export function quoteArg(s: string): string {
  if (s.includes('\0')) throw new CommandBuildError(`an argument holds a NUL byte, which no program can receive: ${JSON.stringify(s.slice(0, 60))}`);
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function forceQuote(s: string): string {
  const q = quoteArg(s);
  return q.startsWith("'") ? q : `'${q}'`;
}

export function isValidEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

export interface BuildCommandOptions {
  /** Folder the command runs in (a literal path; `~` is not expanded). */
  cwd?: string;
  /** Assignments placed before the program (NAME='value' prog ...). */
  env?: Record<string, string>;
  /**
   * Names of secret variables: their values are NOT in the command line (which `ps` shows to
   * every user of the node) but read from stdin, one base64 line each in this order, by a
   * prelude; give the program's own stdin after them (see secretEnvStdin).
   */
  secretEnvNames?: readonly string[];
}

/** The stdin lines the prelude of `secretEnvNames` reads: base64 of each value, in name order. */
export function secretEnvStdin(secretEnv: Record<string, string>): string {
  return Object.keys(secretEnv).map((k) => `${Buffer.from(secretEnv[k]!, 'utf8').toString('base64')}\n`).join('');
}

function checkEnvName(name: string): void {
  if (!isValidEnvName(name)) {
    throw new CommandBuildError(
      `environment variable name ${JSON.stringify(name)} is not valid: use letters, digits and _ and do not start with a digit (e.g. NCCL_DEBUG)`,
    );
  }
}

/** `IFS= read -r N && N=$(printf %s "$N" | base64 -d) && export N && ` per name: builtins and base64 only, no value in any argv. */
function secretPrelude(names: readonly string[]): string {
  return names.map((n) => {
    checkEnvName(n);
    return `IFS= read -r ${n} && ${n}=$(printf %s "$${n}" | base64 -d) && export ${n} && `;
  }).join('');
}

/**
 * `argv` as one sh command line: `cd -- 'cwd' && NAME='v' 'prog' 'arg' ...`.
 * The program is run directly (no `eval`, no `sh -c` around user text).
 */
export function buildCommand(argv: readonly string[], opts: BuildCommandOptions = {}): string {
  if (argv.length === 0) throw new CommandBuildError('a remote command needs at least the program name (argv is empty)');
  if (argv[0] === '') throw new CommandBuildError('the program name (argv[0]) is empty');
  const parts: string[] = [];
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    checkEnvName(name);
    parts.push(`${name}=${quoteArg(value)}`);
  }
  // The program is always quoted: bare, `FOO=x` would be an assignment and `if` a reserved word.
  const [program, ...args] = argv as [string, ...string[]];
  parts.push(forceQuote(program), ...args.map(quoteArg));
  const line = secretPrelude(opts.secretEnvNames ?? []) + parts.join(' ');
  if (opts.cwd === undefined) return line;
  if (opts.cwd === '') throw new CommandBuildError('cwd is empty: give a folder path or leave cwd out');
  return `cd -- ${quoteArg(opts.cwd)} && ${line}`;
}
