import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { buildCommand, CommandBuildError, quoteArg, secretEnvStdin } from '../../src/activities/ssh/quote.js';

const cases: { name: string; arg: string; quoted: string }[] = [
  { name: 'plain word stays bare', arg: 'nvidia-smi', quoted: 'nvidia-smi' },
  { name: 'path and flags stay bare', arg: '--format=csv,noheader', quoted: '--format=csv,noheader' },
  { name: 'empty string', arg: '', quoted: "''" },
  { name: 'command injection', arg: 'x; touch /tmp/pwned-$RANDOM', quoted: "'x; touch /tmp/pwned-$RANDOM'" },
  { name: 'single quote', arg: "it's", quoted: "'it'\\''s'" },
  { name: 'only quotes', arg: "''", quoted: "''\\'''\\'''" },
  { name: 'double quotes and backticks', arg: '"`id`"', quoted: "'\"`id`\"'" },
  { name: 'newline', arg: 'a\nb', quoted: "'a\nb'" },
  { name: 'spaces and tabs', arg: 'a b\tc', quoted: "'a b\tc'" },
  { name: 'glob', arg: '*', quoted: "'*'" },
  { name: 'tilde is literal', arg: '~/x', quoted: "'~/x'" },
  { name: 'unicode', arg: 'ünïcødé → 模型', quoted: "'ünïcødé → 模型'" },
  { name: 'dollar expansion', arg: '$(reboot)', quoted: "'$(reboot)'" },
  { name: 'backslash', arg: 'a\\b', quoted: "'a\\b'" },
  { name: 'leading dash', arg: '-rf', quoted: '-rf' },
  { name: 'redirection', arg: '>/etc/passwd', quoted: "'>/etc/passwd'" },
];

for (const c of cases) {
  test(`quoteArg: ${c.name}`, () => {
    assert.equal(quoteArg(c.arg), c.quoted);
  });
}

test('quoteArg refuses NUL bytes', () => {
  assert.throws(() => quoteArg('a\0b'), CommandBuildError);
});

// Round trip through real shells: each argument arrives as exactly one literal word.
const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => existsSync(s));
const injected = cases.map((c) => c.arg);

for (const shell of shells) {
  test(`buildCommand round-trips every case through ${shell}`, () => {
    const before = readdirSync('/tmp').filter((f) => f.startsWith('pwned-')).length;
    const cmd = buildCommand(['printf', '%s\\0', ...injected]);
    const out = execFileSync(shell, ['-c', cmd]);
    const words = out.toString('utf8').split('\0').slice(0, -1);
    assert.deepEqual(words, injected);
    const after = readdirSync('/tmp').filter((f) => f.startsWith('pwned-')).length;
    assert.equal(after, before, 'no /tmp/pwned-* file was created');
  });
}

const buildCases: { name: string; argv: string[]; opts?: Parameters<typeof buildCommand>[1]; expect: string }[] = [
  { name: 'program is always quoted', argv: ['true'], expect: "'true'" },
  { name: 'program that looks like an assignment', argv: ['A=b', 'x'], expect: "'A=b' x" },
  { name: 'reserved word as program', argv: ['if'], expect: "'if'" },
  { name: 'env assignments quoted', argv: ['env'], opts: { env: { NCCL_DEBUG: 'WARN', HF_TOKEN: "s3cr3t'x" } }, expect: "NCCL_DEBUG=WARN HF_TOKEN='s3cr3t'\\''x' 'env'" },
  { name: 'cwd quoted', argv: ['ls'], opts: { cwd: '/opt/my dir' }, expect: "cd -- '/opt/my dir' && 'ls'" },
  { name: 'cwd and env', argv: ['ls', '-l'], opts: { cwd: '/w', env: { A: '1' } }, expect: "cd -- /w && A=1 'ls' -l" },
  {
    name: 'secret names only: values come from stdin',
    argv: ['env'],
    opts: { cwd: '/w', env: { A: '1' }, secretEnvNames: ['HF_TOKEN'] },
    expect: 'cd -- /w && IFS= read -r HF_TOKEN && HF_TOKEN=$(printf %s "$HF_TOKEN" | base64 -d) && export HF_TOKEN && A=1 \'env\'',
  },
];
for (const c of buildCases) {
  test(`buildCommand: ${c.name}`, () => {
    assert.equal(buildCommand(c.argv, c.opts), c.expect);
  });
}

const badEnvNames = ['1ABC', 'A-B', 'A B', '', 'X;rm', 'A=B', 'Ü'];
for (const name of badEnvNames) {
  test(`buildCommand refuses env name ${JSON.stringify(name)}`, () => {
    assert.throws(() => buildCommand(['true'], { env: { [name]: 'v' } }), (e: Error) => e instanceof CommandBuildError && e.message.includes(JSON.stringify(name)));
    assert.throws(() => buildCommand(['true'], { secretEnvNames: [name] }), (e: Error) => e instanceof CommandBuildError && e.message.includes(JSON.stringify(name)));
  });
}

// Secrets through real shells: exact values in the program's environment, none in the command
// line, and the program's own stdin intact after the secret lines.
const secretValuesCases: Record<string, string> = {
  HF_TOKEN: 'hf_s3cr3t_VALUE_42',
  QUOTES: `it's "q" \`id\` $(reboot) $HOME`,
  UNICODE: 'ünïcødé → 模型',
  EMPTY: '',
  INNER_NEWLINE: 'line1\nline2',
};
for (const shell of shells) {
  test(`secret env round-trips through ${shell} via stdin, never in the command line`, () => {
    const names = Object.keys(secretValuesCases);
    const cmd = buildCommand(['sh', '-c', 'for n in "$@"; do eval "printf \'%s\\0\' \\"\\$$n\\""; done; cat', 'sh', ...names], { secretEnvNames: names });
    for (const v of Object.values(secretValuesCases)) if (v.length > 3) assert.ok(!cmd.includes(v), `the command line holds ${v}`);
    const out = execFileSync(shell, ['-c', cmd], { input: secretEnvStdin(secretValuesCases) + 'program input\n' }).toString('utf8');
    const parts = out.split('\0');
    assert.deepEqual(parts.slice(0, names.length), Object.values(secretValuesCases));
    assert.equal(parts[names.length], 'program input\n');
  });
}

test('buildCommand refuses an empty argv and an empty program or cwd', () => {
  assert.throws(() => buildCommand([]), CommandBuildError);
  assert.throws(() => buildCommand(['']), CommandBuildError);
  assert.throws(() => buildCommand(['ls'], { cwd: '' }), CommandBuildError);
});

test('env values reach the program literally through a real shell', () => {
  const value = 'x; touch /tmp/pwned-$RANDOM "q" \'s\'\nline2';
  const out = execFileSync('/bin/sh', ['-c', buildCommand(['sh', '-c', 'printf %s "$V"'], { env: { V: value } })]);
  assert.equal(out.toString('utf8'), value);
});
