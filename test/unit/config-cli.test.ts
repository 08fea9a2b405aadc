// `pdflow validate`, `pdflow schema` and `pdflow plan` as a user runs them: real process, exit code, output.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateFiles } from '../../src/cli/config-files.js';

const root = path.resolve(import.meta.dirname, '../..');
const examples = ['cluster-p5.yaml', 'sweep-demo.yaml', 'sweep-pack-vs-spread.yaml', 'sweep-pd-ratio.yaml', 'sweep-tp-baselines.yaml']
  .map((f) => path.join('examples', f));

function pdflow(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/pdflow.js', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

describe('pdflow validate / schema / plan', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pdflow-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate examples/*.yaml exits 0 with a one-line summary per file', () => {
    const r = pdflow('validate', ...examples);
    assert.equal(r.code, 0, r.out);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, examples.length, r.out);
    assert.equal(lines[0], 'examples/cluster-p5.yaml: cluster p5-pair, 3 nodes (head + 2 workers), 16 GPUs');
    assert.match(r.stdout, /examples\/sweep-pd-ratio\.yaml: sweep pd-ratio, 8 deployments x 1 workload x 6 concurrency levels = 48 points; on p5-pair: 0 rejected/);
  });

  it('an identityFile or knownHosts that is a folder on this machine: exit 2 naming the field (a missing one is fine: the worker may be elsewhere)', () => {
    const base = readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8');
    const folder = path.join(dir, 'cluster-key-folder.yaml');
    writeFileSync(folder, base.replace(/identityFile: \S+/, `identityFile: ${dir}`).replace(/knownHosts: \S+/, `knownHosts: ${dir}`));
    const r = pdflow('validate', folder);
    assert.equal(r.code, 2, r.out);
    assert.match(r.stdout, /ssh\.identityFile: is a directory, not a file \(got ".*"\); give the private key file itself/);
    assert.match(r.stdout, /ssh\.knownHosts: is a directory, not a file/);
    const missing = path.join(dir, 'cluster-key-missing.yaml');
    writeFileSync(missing, base.replace(/identityFile: \S+/, `identityFile: ${path.join(dir, 'no-such-key')}`));
    assert.equal(pdflow('validate', missing).code, 0);
  });

  it('an unknown key, a host "a;b" and TP 3: exit 2 naming all three, each with path, value and hint', () => {
    const cluster = readFileSync(path.join(root, 'examples/cluster-p5.yaml'), 'utf8')
      .replace('host: 10.0.0.11', 'host: "a;b"')
      .replace('network:', 'netwrok:');
    const sweep = readFileSync(path.join(root, 'examples/sweep-tp-baselines.yaml'), 'utf8')
      .replace('{ mode: collocated, replicas: [4], tp: [2] }', '{ mode: collocated, replicas: [4], tp: [3] }');
    const c = path.join(dir, 'cluster.yaml');
    const s = path.join(dir, 'sweep.yaml');
    writeFileSync(c, cluster);
    writeFileSync(s, sweep);

    const r = pdflow('validate', c, s);
    assert.equal(r.code, 2, r.out);
    assert.match(r.stdout, /cluster\.yaml:\d+: nodes\[1\]\.host: host contains ";", which a shell could read as syntax \(got "a;b"\); a host is a DNS name/);
    assert.match(r.stdout, /cluster\.yaml:\d+: netwrok: unknown key "netwrok"; did you mean "network"\?/);
    assert.match(r.stdout, /sweep\.yaml:\d+: deployments\[0\]\.tp\[0\]: TP 3 is not a power of two \(got 3\); use 1, 2, 4 or 8/);
    assert.match(r.stderr, /3 problems in 2 files/);

    const json = pdflow('validate', '--json', c, s);
    assert.equal(json.code, 2);
    const report = JSON.parse(json.stdout) as { ok: boolean; files: { file: string; kind: string; issues: { path: string }[] }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.files.map((f) => [f.kind, f.issues.map((i) => i.path).sort()]), [
      ['cluster', ['netwrok', 'nodes[1].host']],
      ['sweep', ['deployments[0].tp[0]']],
    ]);
  });

  it('a missing file is a problem like any other', async () => {
    const [report] = await validateFiles(['examples/nope.yaml']);
    assert.deepEqual(report, {
      file: 'examples/nope.yaml', ok: false,
      issues: [{ file: 'examples/nope.yaml', path: '(file)', message: 'no such file', hint: 'give the path of a cluster or sweep YAML file' }],
    });
  });

  it('schema prints JSON Schema for both kinds; an unknown kind exits 2', () => {
    for (const kind of ['cluster', 'sweep']) {
      const r = pdflow('schema', kind);
      assert.equal(r.code, 0, r.out);
      const schema = JSON.parse(r.stdout) as { title: string; type: string; additionalProperties: boolean };
      assert.equal(schema.title, `pdflow ${kind} file`);
      assert.equal(schema.additionalProperties, false);
    }
    assert.equal(pdflow('schema', 'other').code, 2);
  });

  it('plan prints the table and the estimate; --json prints the Plan data', () => {
    const args = ['plan', '--cluster', 'examples/cluster-p5.yaml', '--sweep', 'examples/sweep-pack-vs-spread.yaml'];
    const text = pdflow(...args);
    assert.equal(text.code, 0, text.out);
    assert.match(text.stdout, /pd-spread-tcp +pd-spread +8 +P gpu-1:0-3 +D gpu-2:0-3/);
    assert.match(text.stdout, /Estimate: 19m 45s at least/);
    const json = pdflow(...args, '--json');
    assert.equal(json.code, 0, json.out);
    const plan = JSON.parse(json.stdout) as { sweepName: string; deployments: { id: string }[] };
    assert.equal(plan.sweepName, 'pack-vs-spread');
    assert.deepEqual(plan.deployments.map((d) => d.id), ['pd-pack-1p-tp4-1d-tp4', 'pd-spread-1p-tp4-1d-tp4', 'pd-spread-tcp']);
  });

  it('plan with a broken file exits 2 and lists the problems', () => {
    const r = pdflow('plan', '--cluster', 'examples/cluster-p5.yaml', '--sweep', 'test/fixtures/config/broken/sweep-mode-typo.yaml');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /deployments\[1\]\.mode: must be one of "collocated", "pd-pack", "pd-spread" \(got "pd-packed"\); did you mean "pd-pack"\?/);
  });
});
