// Field checks: nothing a shell could read as syntax gets into hosts, users, names, paths or env keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  envKeyField, gitUrlField, hostField, idNameField, isPowerOfTwo, nodeNameField, pathField, tpField, userField, versionField,
} from '../../src/config/fields.js';
import { formatIssue, formatPath, formatValue } from '../../src/config/issues.js';
import { closest } from '../../src/config/suggest.js';

const SHELL_BAITS = ['a;b', 'a b', 'a|b', 'a&b', '$(x)', '`x`', 'a\'b', 'a"b', 'a<b', 'a>b', 'a\nb', 'a\\b', 'a*', '-oProxyCommand=x'];

const CASES: [name: string, field: () => { safeParse(v: unknown): { success: boolean } }, good: string[], bad: string[]][] = [
  ['host', hostField,
    ['10.0.0.11', 'gpu-1', 'ip-10-0-0-11.ec2.internal', 'fd00::11', '::1', '2001:db8:0:0:0:0:0:1', '::ffff:10.0.0.1', 'localhost', '127.0.0.2'],
    [...SHELL_BAITS, '', '10.0.0.300', '1.2.3', 'a..b', '-gpu', 'gpu-.x', 'fd00:::1', '1:2:3:4:5:6:7:8:9', 'gpu_1', 'x'.repeat(64)]],
  ['user', userField, ['ubuntu', 'ec2-user', '_svc', 'a.b'], [...SHELL_BAITS, '', '1user', 'x'.repeat(33)]],
  ['node name', nodeNameField, ['head', 'gpu-1', 'GPU_2', 'n.1'], [...SHELL_BAITS, '', '-x', '.x']],
  ['cluster name', () => idNameField('cluster name'), ['p5-pair', 'a', 'lab2'], [...SHELL_BAITS, 'P5', 'a_b', '-a', 'a-', '']],
  ['path', pathField,
    ['~/pdflow', '~', '/opt/pdflow', 'relative/dir', '~/.ssh/id_ed25519', '/a/b@c:d,e+f=g%h'],
    [...SHELL_BAITS, '', '$HOME/x', '~user/x', '/a/~b', '/a b', '-rf']],
  ['env key', envKeyField, ['UCX_TLS', '_X', 'hf_token'], [...SHELL_BAITS, '', '1X', 'A-B', 'A.B']],
  ['version', versionField, ['0.11.0', '0.2.14.post1', '3.11', '1.20.0+cuda12', 'v1_2'], [...SHELL_BAITS, '', '>=1.0', '1.0,2.0']],
  ['git url', gitUrlField, ['https://github.com/openucx/ucx.git', 'git@github.com:ai-dynamo/nixl.git', '/srv/git/ucx'], [...SHELL_BAITS, '']],
];

describe('shell-safe fields', () => {
  for (const [name, field, good, bad] of CASES) {
    it(`${name}: accepts ${good.length} good values`, () => {
      for (const v of good) assert.ok(field().safeParse(v).success, `${name} rejected ${JSON.stringify(v)}`);
    });
    it(`${name}: rejects ${bad.length} bad values`, () => {
      for (const v of bad) assert.ok(!field().safeParse(v).success, `${name} accepted ${JSON.stringify(v)}`);
    });
  }

  it('says which character is the problem and why', () => {
    const r = hostField().safeParse('a;b');
    assert.ok(!r.success);
    assert.equal(r.error.issues[0]!.message, 'host contains ";", which a shell could read as syntax');
    const nl = pathField().safeParse('/a\nb');
    assert.ok(!nl.success);
    assert.match(nl.error.issues[0]!.message, /a line break, which a shell could read as syntax/);
    const dash = userField().safeParse('-oProxyCommand');
    assert.ok(!dash.success);
    assert.match(dash.error.issues[0]!.message, /starts with "-", which a command would read as an option|must start with a letter/);
  });
});

describe('TP sizes', () => {
  const table: [number, boolean][] = [[1, true], [2, true], [3, false], [4, true], [6, false], [8, true], [12, false], [16, true], [0, false], [-2, false], [2.5, false]];
  for (const [tp, ok] of table) {
    it(`TP ${tp} is ${ok ? '' : 'not '}accepted`, () => {
      assert.equal(tpField().safeParse(tp).success, ok);
      if (Number.isInteger(tp) && tp > 0) assert.equal(isPowerOfTwo(tp), ok);
    });
  }
});

describe('issue formatting', () => {
  it('paths read like code', () => {
    assert.equal(formatPath(['nodes', 1, 'host']), 'nodes[1].host');
    assert.equal(formatPath(['deployments', 0, 'env', 'UCX TLS']), 'deployments[0].env["UCX TLS"]');
    assert.equal(formatPath([]), '(root)');
  });

  it('file:line: path: message (got value); hint', () => {
    assert.equal(
      formatIssue({ file: 'c.yaml', line: 12, path: 'nodes[1].host', message: 'host contains ";"', value: 'a;b', hint: 'use a DNS name' }),
      'c.yaml:12: nodes[1].host: host contains ";" (got "a;b"); use a DNS name',
    );
    assert.equal(formatIssue({ file: 'c.yaml', path: 'nodes', message: 'no head' }), 'c.yaml: nodes: no head');
    assert.equal(formatValue('x'.repeat(200)).length, 80);
  });

  it('suggests the key that was meant', () => {
    assert.equal(closest('hots', ['name', 'host', 'role']), 'host');
    assert.equal(closest('p99TTFTms', ['p99TtftMs', 'p99TpotMs']), 'p99TtftMs');
    assert.equal(closest('colour', ['name', 'host', 'role']), undefined);
  });
});
