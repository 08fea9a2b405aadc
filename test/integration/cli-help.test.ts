// `--help` on every registered command (walked from buildProgram(), sub-commands included) has an
// Examples section with runnable `pdflow ...` lines; every command that reads has --json; and the
// real binary exits 0 on --help and 2 on an unknown command or option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { pdflow } from '../helpers/cli.js';

interface Entry { name: string; cmd: Command }

function allCommands(c: Command, prefix: string[] = []): Entry[] {
  return c.commands.flatMap((sub) => {
    const name = [...prefix, sub.name()];
    return [{ name: name.join(' '), cmd: sub }, ...allCommands(sub, name)];
  });
}

/** The full help text as `pdflow <cmd> --help` prints it (addHelpText included). */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
  cmd.outputHelp();
  return text;
}

const commands = allCommands(buildProgram());

test('every command the CLI registers is walked (the list in issue 6)', () => {
  const names = commands.map((c) => c.name);
  for (const n of ['server', 'worker', 'validate', 'schema', 'plan', 'run', 'list', 'status', 'watch', 'pause', 'resume', 'cancel',
    'results', 'compare', 'logs', 'sim up', 'sim down', 'sim status', 'sim fault', 'demo', 'schedule create', 'schedule list', 'schedule delete']) {
    assert.ok(names.includes(n), `"${n}" is not registered (registered: ${names.join(', ')})`);
  }
});

test('--help of every command has an Examples section with pdflow command lines', () => {
  const missing: string[] = [];
  for (const { name, cmd } of commands) {
    const help = helpOf(cmd);
    const examples = help.split(/\nExamples?:\n/)[1];
    if (!/\nExamples:\n/.test(help) || !examples || !/^ {2}(\S+=\S+ )?(npm run demo|pdflow \S)/m.test(examples)) missing.push(name);
  }
  assert.deepEqual(missing, [], `commands without an "Examples:" section of pdflow lines: ${missing.join(', ')}`);
});

test('every command that reads has --json (results: --format json)', () => {
  const reading = ['list', 'status', 'watch', 'plan', 'validate', 'sim status', 'schedule list', 'logs', 'run'];
  for (const name of reading) {
    const entry = commands.find((c) => c.name === name);
    assert.ok(entry, name);
    assert.ok(entry.cmd.options.some((o) => o.long === '--json'), `${name} has no --json`);
  }
  const results = commands.find((c) => c.name === 'results')!;
  assert.match(helpOf(results.cmd), /--format <format>\s+what to print: table, csv, json/);
});

test('the binary: --help exits 0 with the examples, an unknown command or option exits 2 with the help hint', async () => {
  const [help, unknownCmd, unknownOpt] = await Promise.all([
    pdflow(['watch', '--help']),
    pdflow(['wacth', 'x']),
    pdflow(['list', '--colour', 'red']),
  ]);
  assert.equal(help.code, 0, help.out);
  assert.match(help.stdout, /Usage: pdflow watch \[options\] <id>/);
  assert.match(help.stdout, /Examples:\n {2}pdflow watch pdflow-/);
  assert.equal(unknownCmd.code, 2, unknownCmd.out);
  assert.match(unknownCmd.stderr, /unknown command 'wacth'/);
  assert.match(unknownCmd.stderr, /\(Did you mean watch\?\)/);
  assert.equal(unknownOpt.code, 2, unknownOpt.out);
  assert.match(unknownOpt.stderr, /unknown option '--colour'/);
  assert.match(unknownOpt.stderr, /Usage: pdflow list/);
});
