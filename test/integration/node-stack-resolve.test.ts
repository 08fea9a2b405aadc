// The node stack resolves with the REAL package index under scripts/remote/constraints/node-stack.txt
// (issue 9 item 2): real pip, `install --dry-run --ignore-installed --report`, for CPython 3.11 on
// Linux x86_64, reading only metadata (no GPU wheel bodies). The versions vLLM 0.11 needs come out
// (transformers 4.57.x, huggingface_hub < 1.0), and every resolved package is pinned by the file.
//
// Speed: pip reads a wheel's metadata from `<url>.metadata` when the index page advertises it (PEP
// 658/714). pypi.org does; a mirror may strip the flag, and then pip fetches metadata with range
// requests (--use-feature=fast-deps), several minutes for 182 packages. So pip talks to a local
// pass-through of the index's JSON pages that flags the wheels of the pinned versions and serves
// their metadata: the file host's `.metadata`, or the METADATA read out of the real wheel with
// range requests. Packages, versions and metadata are the real index's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { inflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseConstraints } from '../../src/plan/node-stack.js';

const CONSTRAINTS = path.resolve('scripts/remote/constraints/node-stack.txt');
const INDEX = (process.env.PDFLOW_PYPI_SIMPLE ?? 'https://pypi.org/simple').replace(/\/+$/, '');
const VENV = path.resolve('.tools/resolve-py311');
const REQUIREMENTS = ['vllm==0.11.0', 'flashinfer-python==0.2.14.post1', 'ray[serve,llm]==2.51.0'];

interface Resolved { name: string; version: string }
const normalize = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

/** What must hold for the resolved stack; [] when it does. */
export function stackProblems(resolved: Resolved[], constraints: Map<string, string>): string[] {
  const v = new Map(resolved.map((r) => [normalize(r.name), r.version]));
  const problems: string[] = [];
  const want = (name: string, ok: (x: string) => boolean, what: string) => {
    const got = v.get(name);
    if (got === undefined || !ok(got)) problems.push(`${name} ${got ?? 'absent'}, want ${what}`);
  };
  want('vllm', (x) => x === '0.11.0', '0.11.0');
  want('transformers', (x) => x.startsWith('4.57.'), '4.57.x (vLLM 0.11 crashes with transformers 5)');
  want('huggingface-hub', (x) => Number(x.split('.')[0]) < 1, '< 1.0 (transformers 4.57 needs it)');
  want('tokenizers', (x) => /^0\.2[12]\./.test(x), '0.21/0.22 (what transformers 4.57 accepts)');
  want('openai', () => true, 'present');
  want('ray', (x) => x === '2.51.0', '2.51.0');
  for (const extra of ['grpcio', 'pyarrow', 'pandas', 'fastapi', 'uvicorn']) want(extra, () => true, `present (ray[serve,llm])`);
  for (const [name, version] of v) {
    const pinned = constraints.get(name);
    if (pinned === undefined) problems.push(`${name} ${version} is not pinned in the constraints file (it would float)`);
    else if (pinned !== version) problems.push(`${name} resolved to ${version}, the constraints file pins ${pinned}`);
  }
  return problems;
}

test('stackProblems fails a resolution that lets transformers 5 or huggingface_hub 1.x in, or leaves a package unpinned', () => {
  const good: Resolved[] = [
    ['vllm', '0.11.0'], ['transformers', '4.57.1'], ['huggingface_hub', '0.36.0'], ['tokenizers', '0.22.1'], ['openai', '2.6.1'],
    ['ray', '2.51.0'], ['grpcio', '1.76.0'], ['pyarrow', '22.0.0'], ['pandas', '2.3.3'], ['fastapi', '0.120.4'], ['uvicorn', '0.38.0'],
  ].map(([name, version]) => ({ name: name!, version: version! }));
  const pins = new Map(good.map((r) => [normalize(r.name), r.version]));
  assert.deepEqual(stackProblems(good, pins), []);
  const swap = (name: string, version: string) => good.map((r) => (r.name === name ? { name, version } : r));
  assert.match(stackProblems(swap('transformers', '5.0.0'), pins).join('\n'), /transformers 5\.0\.0, want 4\.57\.x/);
  assert.match(stackProblems(swap('huggingface_hub', '1.1.2'), pins).join('\n'), /huggingface-hub 1\.1\.2, want < 1\.0/);
  assert.match(stackProblems([...good, { name: 'numpy', version: '2.3.4' }], pins).join('\n'), /numpy 2\.3\.4 is not pinned/);
  assert.match(stackProblems(good.filter((r) => r.name !== 'pyarrow'), pins).join('\n'), /pyarrow absent/);
});

/**
 * A python3.11 venv in .tools (the only place this test may cache anything) with the build backend
 * flashinfer-python's sdist needs for its metadata (setuptools >= 77). The metadata is prepared
 * without build isolation: isolated, its backend asks for torch first (GBs) to build nothing.
 */
function python311(): string | undefined {
  const py = path.join(VENV, 'bin/python');
  if (!existsSync(py)) {
    const base = ['python3.11', 'python3'].find((cand) => {
      try {
        return execFileSync(cand, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim() === '3.11';
      } catch {
        return false;
      }
    });
    if (!base) return undefined;
    execFileSync(base, ['-m', 'venv', VENV]);
  }
  try {
    execFileSync(py, ['-c', 'import pip, setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77 or pip.__version__ != "25.3")']);
  } catch {
    execFileSync(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'pip==25.3', 'setuptools==80.9.0', 'packaging==25.0'], { env: { ...process.env, PIP_FIND_LINKS: '' } });
  }
  return py;
}

/** A wheel this node platform could install: CPython 3.11 (or abi3 / pure), Linux x86_64 or any. */
const fitsNode = (file: string) => /-(cp311-cp311|cp3\d+-abi3|py3-none|py2\.py3-none|cp311-none)-/.test(file) && /(manylinux[^-]*_x86_64|-any)\.whl$/.test(file);

async function range(url: string, spec: string): Promise<Buffer> {
  const r = await fetch(url, { headers: { Range: `bytes=${spec}` } });
  if (r.status !== 206) throw new Error(`${url}: range ${spec} answered ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

/** A wheel's METADATA read with HTTP range requests (its zip directory, then that one member). */
async function wheelMetadata(url: string): Promise<Buffer> {
  const tail = await range(url, '-65536');
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${url}: no zip end record`);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new Error(`${url}: zip64 is not read here`);
  const total = Number((await fetch(url, { method: 'HEAD' })).headers.get('content-length'));
  const start = total - tail.length;
  const cd = cdOffset >= start ? tail.subarray(cdOffset - start, cdOffset - start + cdSize) : await range(url, `${cdOffset}-${cdOffset + cdSize - 1}`);
  for (let i = 0; i + 46 <= cd.length && cd.readUInt32LE(i) === 0x02014b50;) {
    const method = cd.readUInt16LE(i + 10);
    const compSize = cd.readUInt32LE(i + 20);
    const nameLen = cd.readUInt16LE(i + 28);
    const skip = 46 + nameLen + cd.readUInt16LE(i + 30) + cd.readUInt16LE(i + 32);
    const name = cd.subarray(i + 46, i + 46 + nameLen).toString();
    if (/^[^/]+\.dist-info\/METADATA$/.test(name)) {
      const lho = cd.readUInt32LE(i + 42);
      const local = await range(url, `${lho}-${lho + 30 + nameLen + 1024 + compSize}`);
      const data = local.subarray(30 + local.readUInt16LE(26) + local.readUInt16LE(28)).subarray(0, compSize);
      return method === 8 ? inflateRawSync(data) : data;
    }
    i += skip;
  }
  throw new Error(`${url}: no *.dist-info/METADATA`);
}

/**
 * The index's JSON pages, with `core-metadata` set on the node's wheels of the pinned versions, whose
 * URL then points here: `<url>.metadata` is the file host's own when it has one, else read out of
 * the real wheel with range requests; the wheel itself redirects to the file host.
 */
async function startMetadataIndex(pins: Map<string, string>): Promise<{ url: string; close: () => Promise<void>; served: () => number }> {
  const files: string[] = [];
  // Fetched as soon as the page names the file (pip asks for them one at a time).
  const metadata: Array<Promise<Buffer>> = [];
  let served = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const f = /^\/files\/(\d+)\/[^/]+?(\.metadata)?$/.exec(req.url ?? '');
      if (f) {
        const upstream = files[Number(f[1])]!;
        if (!f[2]) { res.writeHead(302, { Location: upstream }).end(); return; }
        const body = await metadata[Number(f[1])]!;
        served++;
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length }).end(body);
        return;
      }
      const m = /^\/simple\/([^/]+)\/?$/.exec(req.url ?? '');
      if (!m) { res.writeHead(404).end(); return; }
      const up = await fetch(`${INDEX}/${m[1]}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
      if (!up.ok) { res.writeHead(up.status).end(); return; }
      const page = await up.json() as { files: Array<Record<string, unknown>> };
      const version = pins.get(normalize(decodeURIComponent(m[1]!)));
      for (const e of page.files) {
        const file = typeof e.filename === 'string' ? e.filename : '';
        if (version === undefined || !file.endsWith('.whl') || file.split('-')[1] !== version || !fitsNode(file)) continue;
        const upstream = String(e.url);
        files.push(upstream);
        const read = (async () => {
          const own = await fetch(`${upstream}.metadata`);
          return own.ok ? Buffer.from(await own.arrayBuffer()) : wheelMetadata(upstream);
        })();
        read.catch(() => undefined); // awaited (and reported) when pip asks for it
        metadata.push(read);
        e.url = `${base}/files/${files.length - 1}/${file}`;
        e['core-metadata'] = true;
        e['data-dist-info-metadata'] = true; // the pre-PEP-714 name, for older pips
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify(page));
    })().catch((err: unknown) => { res.writeHead(502).end(String(err)); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/simple`, close: () => new Promise((r) => server.close(() => r())), served: () => served };
}

test('the node stack resolves with the real index under the constraints file: vllm 0.11.0, transformers 4.57.x, huggingface_hub < 1.0', { timeout: 300_000 }, async (t) => {
  const py = python311();
  if (!py) { t.skip('no CPython 3.11 on this machine (python3.11 or a python3 that is 3.11)'); return; }
  const constraints = parseConstraints(readFileSync(CONSTRAINTS, 'utf8'));
  const index = await startMetadataIndex(constraints);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pdflow-resolve-'));
  try {
    const report = path.join(tmp, 'report.json');
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      execFile(py, [
        '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--no-cache-dir', '--disable-pip-version-check',
        '--index-url', index.url, '--report', report, '--no-build-isolation', '--use-feature=fast-deps',
        // Wheels only (no sdist builds), except flashinfer-python 0.2.14.post1, which PyPI has as
        // an sdist only: its metadata comes from its build backend (setuptools), never a compile.
        // fast-deps: range requests for the few wheels whose .metadata the host lacks.
        '--only-binary=:all:', '--no-binary=flashinfer-python',
        '-c', CONSTRAINTS, ...REQUIREMENTS,
      ], { env: { ...process.env, PIP_FIND_LINKS: '', PIP_CONFIG_FILE: os.devNull, PIP_NO_INPUT: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`pip failed: ${err.message}\n${stdout}\n${stderr}`)); else resolve();
      });
    });
    const seconds = (Date.now() - t0) / 1000;
    const r = JSON.parse(readFileSync(report, 'utf8')) as { install: Array<{ metadata: { name: string; version: string }; download_info: { url: string } }> };
    const resolved = r.install.map((i) => ({ name: i.metadata.name, version: i.metadata.version }));
    assert.deepEqual(stackProblems(resolved, constraints), [], `resolved:\n${resolved.map((x) => `${x.name}==${x.version}`).join('\n')}`);
    // Linux x86_64 wheels (the nodes' platform), CPython 3.11 or abi3/none.
    const vllm = r.install.find((i) => i.metadata.name === 'vllm')!;
    assert.match(vllm.download_info.url, /vllm-0\.11\.0-cp38-abi3-manylinux1_x86_64\.whl$/);
    t.diagnostic(`${resolved.length} packages resolved in ${seconds.toFixed(1)} s (${index.served()} metadata files served)`);
  } finally {
    await index.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
