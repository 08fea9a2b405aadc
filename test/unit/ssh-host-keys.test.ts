import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  fingerprint,
  hostFieldMatches,
  judgeHostKey,
  keyTypeOf,
  knownHostName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../src/activities/ssh/host-keys.js';

/** An ssh-ed25519 public key blob (uint32-length-prefixed type and key). */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length, 0);
    return Buffer.concat([len, b]);
  };
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

function hashedName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const keyA = ed25519Blob();
const keyB = ed25519Blob();
const line = (hosts: string, key: Buffer, marker = '') => `${marker ? `@${marker} ` : ''}${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;

test('knownHostName: port 22 is bare, others bracketed', () => {
  assert.equal(knownHostName('10.0.0.1', 22), '10.0.0.1');
  assert.equal(knownHostName('10.0.0.1', 2222), '[10.0.0.1]:2222');
});

test('keyTypeOf and fingerprint', () => {
  assert.equal(keyTypeOf(keyA), 'ssh-ed25519');
  assert.match(fingerprint(keyA), /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('parseKnownHosts skips comments, blank and malformed lines, keeps markers', () => {
  const text = ['# comment', '', line('host1', keyA), 'garbage', line('*.example.com', keyB, 'cert-authority'), line('host2', keyB, 'revoked')].join('\n');
  const entries = parseKnownHosts(text);
  assert.equal(entries.length, 3);
  assert.equal(entries[0]!.hosts, 'host1');
  assert.equal(entries[1]!.marker, 'cert-authority');
  assert.equal(entries[2]!.marker, 'revoked');
  assert.equal(entries[0]!.lineNo, 3);
});

const matchCases: { field: string; host: string; port: number; want: boolean }[] = [
  { field: '10.0.0.1', host: '10.0.0.1', port: 22, want: true },
  { field: '10.0.0.1', host: '10.0.0.1', port: 2222, want: false },
  { field: '[10.0.0.1]:2222', host: '10.0.0.1', port: 2222, want: true },
  { field: '[10.0.0.1]:2222', host: '10.0.0.1', port: 22, want: false },
  { field: '[10.0.0.1]:22', host: '10.0.0.1', port: 22, want: true },
  { field: 'a,10.0.0.1,b', host: '10.0.0.1', port: 22, want: true },
  { field: '10.0.0.*', host: '10.0.0.7', port: 22, want: true },
  { field: '10.0.0.?', host: '10.0.0.17', port: 22, want: false },
  { field: '10.0.0.*,!10.0.0.7', host: '10.0.0.7', port: 22, want: false },
  { field: 'GPU-1.Example.com', host: 'gpu-1.example.com', port: 22, want: true },
  { field: 'gpu-1.example.com', host: 'gpu-1xexample.com', port: 22, want: false },
  { field: hashedName('[127.0.0.10]:2222'), host: '127.0.0.10', port: 2222, want: true },
  { field: hashedName('[127.0.0.10]:2222'), host: '127.0.0.11', port: 2222, want: false },
  { field: hashedName('gpu-1'), host: 'gpu-1', port: 22, want: true },
];
for (const c of matchCases) {
  test(`hostFieldMatches ${c.field.slice(0, 30)} vs ${c.host}:${c.port} -> ${c.want}`, () => {
    assert.equal(hostFieldMatches(c.field, c.host, c.port), c.want);
  });
}

test('judgeHostKey: known key passes', () => {
  const entries = parseKnownHosts(line('[h]:2222', keyA));
  assert.deepEqual(judgeHostKey(entries, 'h', 2222, keyA, 'strict'), { ok: true, recorded: false });
});

test('judgeHostKey: changed key is refused under both policies, naming both fingerprints', () => {
  const entries = parseKnownHosts(line('[h]:2222', keyA));
  for (const policy of ['strict', 'accept-new'] as const) {
    const v = judgeHostKey(entries, 'h', 2222, keyB, policy);
    assert.equal(v.ok, false);
    assert.ok(!v.ok && v.reason === 'mismatch');
    if (!v.ok && v.reason === 'mismatch') {
      assert.deepEqual(v.expected, [`ssh-ed25519 ${fingerprint(keyA)}`]);
      assert.equal(v.offered, `ssh-ed25519 ${fingerprint(keyB)}`);
    }
  }
});

test('judgeHostKey: unknown host is refused when strict, recorded when accept-new', () => {
  const entries = parseKnownHosts(line('[other]:2222', keyA));
  const strict = judgeHostKey(entries, 'h', 2222, keyB, 'strict');
  assert.ok(!strict.ok && strict.reason === 'unknown');
  const acc = judgeHostKey(entries, 'h', 2222, keyB, 'accept-new');
  assert.ok(acc.ok && acc.recorded);
  if (acc.ok && acc.recorded) assert.equal(acc.line, `[h]:2222 ssh-ed25519 ${keyB.toString('base64')}`);
});

test('judgeHostKey: a @revoked key is refused even if also listed', () => {
  const entries = parseKnownHosts([line('h', keyA), line('h', keyA, 'revoked')].join('\n'));
  const v = judgeHostKey(entries, 'h', 22, keyA, 'accept-new');
  assert.ok(!v.ok && v.reason === 'revoked');
});

test('judgeHostKey: hashed entries work', () => {
  const entries = parseKnownHosts(line(hashedName('[127.0.0.10]:2201'), keyA));
  assert.ok(judgeHostKey(entries, '127.0.0.10', 2201, keyA, 'strict').ok);
  assert.ok(!judgeHostKey(entries, '127.0.0.10', 2201, keyB, 'strict').ok);
});

test('preferredHostKeyAlgorithms puts known types first', () => {
  const rsaBlob = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]);
  const entries = parseKnownHosts(line('h', rsaBlob));
  const algos = preferredHostKeyAlgorithms(entries, 'h', 22);
  assert.deepEqual(algos.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  assert.ok(algos.includes('ssh-ed25519'));
  assert.equal(new Set(algos).size, algos.length);
  assert.equal(preferredHostKeyAlgorithms([], 'h', 22)[0], 'ssh-ed25519');
});
