// UCX_PROTO_INFO tables as real UCX prints them (the H200 fixtures: NIXL 0.6.1's bundled UCX 1.19,
// two processes on one GPU, tcp/lo), and the transport of the bulk READ read from them: from the
// READ table only, unknown (null) when the log holds no complete READ table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTransferTestResult, parseUcxProtoTables, ucxBulkReadTransport } from '../../src/parse/index.js';

const real = (f: string) => readFileSync(new URL(`../fixtures/node-outputs/h200-device/${f}`, import.meta.url), 'utf8');
const P = '[1796173614.875013] [vm:549  :0]   ';
const table = (peer: string, op: string, rows: string[]) => [
  `${P}+--------------------------------+---------------------------------------+`,
  `${P}| ucp_context_0 ${peer} cfg#2 | ${op}    |`,
  `${P}+--------------------------------+-----------------------+---------------+`,
  ...rows.map((r) => `${P}${r}`),
  `${P}+--------------------------------+-----------------------+---------------+`,
].join('\n');
const get = 'remote memory read by ucp_get*(multi) into cuda/GPU0 from cuda';
const am = 'active message by ucp_am_send* from host memory';

describe('parseUcxProtoTables on the real H200 logs', () => {
  it('reads every table of the decode log with its rows and lanes', () => {
    const t = parseUcxProtoTables(real('ucx-log-decode.txt'));
    assert.ok(t.length >= 20, `${t.length} tables`);
    const read = t.filter((x) => x.operation.includes('ucp_get*'));
    assert.equal(read.length, 1);
    assert.deepEqual(read[0], {
      endpoint: 'ucp_context_0 intra-node cfg#2', peer: 'intra-node', operation: get, line: 133,
      rows: [{ range: '0..inf', protocol: 'software emulation', lanes: 'tcp/lo', transports: ['tcp'] }],
    });
    const amTable = t.find((x) => x.peer === 'self' && x.operation === am && x.rows.length > 0)!;
    assert.deepEqual(amTable.rows.map((r) => [r.range, r.protocol, r.transports]), [['0..8184', 'short', ['tcp']], ['8185..inf', 'multi-frag copy-in', ['tcp']]]);
  });
  it('keeps the empty tables UCX prints (a title, no rows) without inventing rows', () => {
    const empty = parseUcxProtoTables(real('ucx-log-decode.txt')).filter((x) => x.rows.length === 0);
    assert.ok(empty.length > 0);
  });
});

describe('ucxBulkReadTransport', () => {
  const cases: Array<{ name: string; log: string; transport: string | null; evidence: RegExp }> = [
    { name: 'the real decode log (tcp/lo)', log: real('ucx-log-decode.txt'), transport: 'tcp', evidence: /line 133: remote memory read by ucp_get\*\(multi\).*0\.\.inf: software emulation over tcp\/lo/ },
    // The prefill side only served the READ: its tables are all tcp, but none is a READ, so no guess.
    { name: 'the real prefill log (no READ table)', log: real('ucx-log-prefill.txt'), transport: null, evidence: /no complete "remote memory read by ucp_get\*" table/ },
    { name: 'srd zero-copy over EFA', log: table('inter-node', get, ['|   0..8192 | copy-in | srd/rdmap79s0:1 |', '| 8193..inf | multi-frag zero-copy | srd/rdmap79s0:1 |']), transport: 'srd', evidence: /multi-frag zero-copy over srd\/rdmap79s0:1/ },
    { name: 'several EFA devices on one multi-lane row', log: table('inter-node', get, ['| 0..inf | multi-frag zero-copy | 50% on srd/rdmap79s0:1 and 50% on srd/rdmap80s0:1 |']), transport: 'srd', evidence: /50% on srd/ },
    { name: 'ud_verbs fallback (UCX without EFA)', log: table('inter-node', get, ['| 0..inf | software emulation | ud_verbs/rdmap79s0:1 |']), transport: 'ud_verbs', evidence: /ud_verbs/ },
    { name: 'cuda_ipc inside a node', log: table('intra-node', get, ['| 0..inf | zero-copy | cuda_ipc/cuda |']), transport: 'cuda_ipc', evidence: /cuda_ipc\/cuda/ },
    { name: 'the largest sizes decide, not the first row', log: table('inter-node', get, ['| 0..1024 | short | tcp/ens32 |', '| 1025..inf | zero-copy | srd/rdmap79s0:1 |']), transport: 'srd', evidence: /1025\.\.inf/ },
    { name: 'the last READ table wins over an earlier one', log: table('inter-node', get, ['| 0..inf | zero-copy | ud_verbs/rdmap79s0:1 |']) + '\n' + table('inter-node', get, ['| 0..inf | zero-copy | srd/rdmap79s0:1 |']), transport: 'srd', evidence: /srd/ },
    { name: 'a loopback (self) READ table is not the peer\'s', log: table('self', get, ['| 0..inf | zero-copy | cuda_copy/cuda |']), transport: null, evidence: /no complete/ },
    { name: 'only active-message tables (the READ not printed yet): unknown, not tcp', log: table('inter-node', am, ['| 0..inf | short | tcp/ens32 |']), transport: null, evidence: /no complete/ },
    { name: 'a READ table cut mid-row (unflushed buffer)', log: table('inter-node', get, []) + `\n${P}|   0..inf | zero-copy | srd/rdm`, transport: null, evidence: /no complete/ },
    { name: 'an empty log', log: '', transport: null, evidence: /no complete/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = ucxBulkReadTransport(c.log);
      assert.equal(r.transport, c.transport, r.evidence);
      assert.match(r.evidence, c.evidence);
    });
  }
});

describe('parseTransferTestResult with the UCX log', () => {
  const line = (extra: Record<string, unknown>) => `log\n${JSON.stringify({
    ok: true, strategy: 'pack', backend: 'UCX', transport: null, ranks: [{ rank: 0, passed: true, mbps: 492.36 }], error: null, ...extra,
  })}\n`;
  it('takes the transport from the real log, not from the script', () => {
    const r = parseTransferTestResult(line({ ucxLog: real('ucx-log-decode.txt'), ucxLogFlush: 'ucs_log_flush' }));
    assert.equal(r.transport, 'tcp');
    assert.match(r.transportEvidence ?? '', /software emulation over tcp\/lo/);
  });
  it('says unknown, and why, when the log has no READ table', () => {
    const r = parseTransferTestResult(line({ ucxLog: real('ucx-log-prefill.txt'), ucxLogFlush: 'none' }));
    assert.equal(r.transport, null);
    assert.match(r.transportEvidence ?? '', /no complete .* \(the log could not be flushed\)/);
  });
  it('ignores a transport the script claims when it sent the log', () => {
    assert.equal(parseTransferTestResult(line({ transport: 'srd', ucxLog: '' })).transport, null);
  });
  it('keeps the script\'s transport for LIBFABRIC (no UCX log)', () => {
    assert.equal(parseTransferTestResult(line({ backend: 'LIBFABRIC', transport: 'efa', ucxLog: null })).transport, 'efa');
  });
});
