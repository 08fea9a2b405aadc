import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileSafe, jobIdFor, lastJsonLine } from '../../src/activities/ssh/remote-job.js';
import { jobPaths, parseJobStatus, splitPollOutput, startCommand } from '../../src/activities/ssh/job-script.js';
import { LogStream, redactSameLength } from '../../src/activities/ssh/log-stream.js';
import { tailOf } from '../../src/activities/ssh/exec.js';

const SHELL_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const idCases: { wf: string; step: string; want?: string }[] = [
  { wf: 'pdflow-p5-build-20250101-120000', step: 'ucx.gpu-1', want: 'pdflow-p5-build-20250101-120000.ucx.gpu-1' },
  { wf: 'pdflow-sim-sweep-20250101-120000', step: 'bench/isl=5000 osl=250' },
  { wf: 'x; touch /tmp/pwned-$RANDOM', step: '../../etc' },
  { wf: '-leading-dash', step: 's' },
  { wf: 'a'.repeat(300), step: 'long' },
  { wf: 'ünïcødé', step: '模型' },
];
for (const c of idCases) {
  test(`jobIdFor(${JSON.stringify(c.wf.slice(0, 30))}, ${JSON.stringify(c.step)}) is stable and shell-safe`, () => {
    const id = jobIdFor(c.wf, c.step);
    assert.equal(id, jobIdFor(c.wf, c.step));
    assert.match(id, SHELL_SAFE);
    assert.ok(id.length <= 120, `length ${id.length}`);
    assert.ok(!id.includes('..'));
    if (c.want) assert.equal(id, c.want);
  });
}

test('jobIdFor separates ids that sanitize alike', () => {
  assert.notEqual(jobIdFor('wf', 'a b'), jobIdFor('wf', 'a_b'));
  assert.notEqual(jobIdFor('wf', 'a/b'), jobIdFor('wf', 'a b'));
  assert.notEqual(jobIdFor('wf', 'step-1'), jobIdFor('wf', 'step-2'));
});

test('fileSafe', () => {
  assert.equal(fileSafe('gpu-1'), 'gpu-1');
  assert.equal(fileSafe('../x y'), '__x_y');
  assert.equal(fileSafe('..'), '_');
});

test('jobPaths and startCommand quote every part', () => {
  const p = jobPaths('/opt/pd flow/', 'j1');
  assert.equal(p.jobDir, '/opt/pd flow/jobs/j1');
  assert.equal(p.runner, '/opt/pd flow/scripts/pdflow-job.sh');
  const cmd = startCommand(p, ['sim-work', 'x; touch /tmp/pwned-$RANDOM'], { TOKEN: "a'b" });
  assert.equal(cmd, "TOKEN='a'\\''b' 'bash' '/opt/pd flow/scripts/pdflow-job.sh' start '/opt/pd flow/jobs/j1' -- sim-work 'x; touch /tmp/pwned-$RANDOM'");
});

const statusCases: { line: string; want: ReturnType<typeof parseJobStatus> }[] = [
  { line: '{"state":"running","pid":42,"exitCode":null,"logSize":10}', want: { state: 'running', pid: 42, exitCode: null, logSize: 10 } },
  { line: '{"state":"exited","pid":42,"exitCode":3,"logSize":0}', want: { state: 'exited', pid: 42, exitCode: 3, logSize: 0 } },
  { line: '{"state":"absent","pid":null,"exitCode":null,"logSize":0}', want: { state: 'absent', pid: null, exitCode: null, logSize: 0 } },
  { line: '{"state":"lost","pid":7,"exitCode":null,"logSize":5}', want: { state: 'lost', pid: 7, exitCode: null, logSize: 5 } },
];
for (const c of statusCases) {
  test(`parseJobStatus ${c.want.state}`, () => assert.deepEqual(parseJobStatus(c.line), c.want));
}
test('parseJobStatus names what it got', () => {
  assert.throws(() => parseJobStatus('bash: no such file'), /bash: no such file/);
  assert.throws(() => parseJobStatus('{"state":"weird"}'), /unexpected status/);
});

test('splitPollOutput separates the status line from raw log bytes', () => {
  const log = Buffer.from('line 1\nline 2 ü\n{"x":1}');
  const out = Buffer.concat([Buffer.from('{"state":"running","pid":1,"exitCode":null,"logSize":30}\n'), log]);
  const { status, chunk } = splitPollOutput(out);
  assert.equal(status.state, 'running');
  assert.deepEqual(chunk, log);
});

test('lastJsonLine finds the last JSON line and skips non-JSON braces', () => {
  assert.deepEqual(lastJsonLine('a\n{"ok":1}\nb\n{"ok":2}\n{not json\n'), { ok: 2 });
  assert.deepEqual(lastJsonLine('[1,2]\n'), [1, 2]);
  assert.equal(lastJsonLine('nothing here'), undefined);
});

test('tailOf keeps the last lines and caps characters', () => {
  const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  assert.equal(tailOf(text, 2), 'line 98\nline 99');
  assert.ok(tailOf('x'.repeat(10_000), 5, 100).length <= 101);
});

test('redactSameLength keeps byte length', () => {
  const b = Buffer.from('token=s3cr3t! and ü s3cr3t!');
  const r = redactSameLength(b, [Buffer.from('s3cr3t!')]);
  assert.equal(r.length, b.length);
  assert.equal(r.toString('utf8'), 'token=******* and ü *******');
});

test('LogStream: secrets split across chunks are redacted, phase tracked, offsets consistent', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdflow-logstream-'));
  const file = path.join(dir, 'a', 'step.log');
  const lines: string[] = [];
  const s = await LogStream.open({ file, resumeOffset: 0, fresh: true, secrets: ['hf_SECRET123'], onLine: (l) => lines.push(l) });
  const remote = Buffer.from('start\n::phase fetch\nusing hf_SECRET123 now\n::phase build\nend');
  // Feed in awkward pieces, splitting the secret.
  const cuts = [3, 12, 26, 30, 41, remote.length];
  let from = 0;
  for (const c of cuts) {
    await s.push(remote.subarray(from, c));
    from = c;
    assert.equal(s.remoteOffset, c);
  }
  await s.flush();
  await s.close();
  const text = await readFile(file, 'utf8');
  assert.equal(text, 'start\n::phase fetch\nusing ************ now\n::phase build\nend');
  assert.equal(s.written, remote.length);
  assert.equal(s.phase, 'build');
  assert.deepEqual(lines, ['start', '::phase fetch', 'using ************ now', '::phase build', 'end']);
});

test('LogStream resumes at the heartbeat offset, but never past what the local file holds', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdflow-logstream-'));
  const file = path.join(dir, 'step.log');
  await writeFile(file, 'abcdefXYZ'); // XYZ: written after the last heartbeat
  const s1 = await LogStream.open({ file, resumeOffset: 6, fresh: false, secrets: [] });
  assert.equal(s1.remoteOffset, 6);
  await s1.push(Buffer.from('ghi'));
  await s1.close();
  assert.equal(await readFile(file, 'utf8'), 'abcdefghi');
  // A new worker machine without the file starts from 0.
  const s2 = await LogStream.open({ file: path.join(dir, 'missing.log'), resumeOffset: 6, fresh: false, secrets: [] });
  assert.equal(s2.remoteOffset, 0);
  await s2.close();
  // A new run of the job starts a fresh file.
  const s3 = await LogStream.open({ file, resumeOffset: 6, fresh: true, secrets: [] });
  assert.equal(s3.remoteOffset, 0);
  await s3.close();
  assert.equal(await readFile(file, 'utf8'), '');
});
