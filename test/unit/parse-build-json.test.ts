import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  judgeNixlInstall, lddResolution, nixlBuildJsonSchema, type NixlPythonProbe, parseBuildJson, ParseError,
  ucxBuildFacts, ucxBuildJsonSchema,
} from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');
/** What build-ucx.sh keeps of `ucx_info -d` (its grep -E, here in JS). */
const kept = (text: string) => text.split('\n').filter((l) => /^#[ \t]*(Memory domain|Component|Transport|Device|Type):/.test(l)).join('\n');

describe('ucxBuildFacts (build-ucx.sh raw ucx_info output)', () => {
  const cases = [
    { v: 'v-1.20-efa.txt', d: 'd-efa-srd.txt', version: '1.20.0', withEfa: true, srd: 4 },
    { v: 'v-1.19-no-efa.txt', d: 'd-no-efa.txt', version: '1.19.0', withEfa: false, srd: 0 },
  ];
  for (const c of cases) {
    it(`${c.v} + ${c.d}: UCX ${c.version}, srd on ${c.srd} devices, whole or filtered`, () => {
      for (const devices of [fx(`ucx-info/${c.d}`), kept(fx(`ucx-info/${c.d}`))]) {
        const f = ucxBuildFacts({ ucxInfoVersion: fx(`ucx-info/${c.v}`), ucxInfoDevices: devices });
        assert.equal(f.version, c.version);
        assert.equal(f.configuredWithEfa, c.withEfa);
        assert.equal(f.srdDevices, c.srd);
      }
    });
  }
  it('srd and ud_verbs per EFA device', () => {
    const f = ucxBuildFacts({ ucxInfoVersion: fx('ucx-info/v-1.20-efa.txt'), ucxInfoDevices: kept(fx('ucx-info/d-efa-srd.txt')) });
    assert.deepEqual(f.transports['rdmap79s0'], ['srd', 'ud_verbs']);
  });
  it('a UCX whose libraries do not load is a ParseError naming ucx_info', () => {
    assert.throws(() => ucxBuildFacts({ ucxInfoVersion: fx('ucx-info/v-missing-lib.txt'), ucxInfoDevices: '' }),
      (e: unknown) => e instanceof ParseError && /ucx_info -v: ucx_info did not run/.test(e.message));
  });
});

describe('build JSON schemas', () => {
  it('reject the old build-ucx shape (ucxInfo parsed in bash) naming the missing fields', () => {
    const old = { script: 'build-ucx', status: 'built', version: '1.20.0', ref: 'v1.20.0', commit: null, prefix: '/u', flags: [], withEfa: true, ldLibraryPath: '/u/lib', marker: '/u/m', ucxInfo: { srdDevices: 32 } };
    assert.throws(() => parseBuildJson(ucxBuildJsonSchema, old, 'build-ucx.sh'), /build-ucx\.sh: .*ucxInfoVersion: .*ucxInfoDevices/);
  });
  it('reject a build-nixl line whose python probe is not an object', () => {
    const line = { script: 'build-nixl', status: 'built', version: '0.6.1', ref: '0.6.1', commit: null, prefix: '/n', ucxPrefix: '/u', ucxInfoVersion: '', flags: [], libfabricPath: null, plugins: ['UCX'], venv: '/v', python: 'oops', repairedPypiWheel: false, ldLibraryPath: [], marker: '/m' };
    assert.throws(() => parseBuildJson(nixlBuildJsonSchema, line, 'build-nixl.sh'), /python: /);
    assert.equal(parseBuildJson(nixlBuildJsonSchema, { ...line, python: { imported: false, error: 'x' } }, 'build-nixl.sh').plugins[0], 'UCX');
  });
});

describe('lddResolution', () => {
  const ldd = [
    '\tlinux-vdso.so.1 (0x00007ffd2a5e0000)',
    '\tlibucp.so.0 => /home/u/pdflow/ucx/lib/libucp.so.0 (0x00007f3c1c000000)',
    '\tlibfabric.so.1 => not found',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3c1bc00000)',
  ].join('\n');
  const cases: Array<[string, string, string | undefined]> = [
    [ldd, 'libucp', '/home/u/pdflow/ucx/lib/libucp.so.0'],
    [ldd, 'libfabric', 'not found'],
    [ldd, 'libucs', undefined],
    ['\tlibucp-e470a167.so.0.0.0 => /v/site-packages/nixl.libs/libucp-e470a167.so.0.0.0 (0x0000)', 'libucp', '/v/site-packages/nixl.libs/libucp-e470a167.so.0.0.0'],
    ['\tnot a dynamic executable', 'libucp', undefined],
  ];
  for (const [text, lib, want] of cases) it(`${lib} in ${JSON.stringify(text.slice(0, 40))}`, () => assert.equal(lddResolution(text, lib), want));
});

describe('judgeNixlInstall: does the venv import the NIXL built against our UCX?', () => {
  const site = '/w/venv/lib/python3.11/site-packages';
  const ours: NixlPythonProbe = {
    imported: true, module: `${site}/nixl`, version: '0.6.1', directUrl: 'file:///w/build/nixl', bundledLibs: [],
    pluginDir: `${site}/.nixl.mesonpy.libs/plugins`, pluginFiles: ['libplugin_POSIX.so', 'libplugin_UCX.so'],
    ucxPluginLdd: '\tlibucp.so.0 => /w/ucx/lib/libucp.so.0 (0x00007f)',
  };
  const cases: Array<{ name: string; probe: NixlPythonProbe; source: string; problem?: RegExp }> = [
    { name: 'the source build', probe: ours, source: 'this-build' },
    {
      name: 'the PyPI wheel (bundled UCX in nixl.libs/)',
      probe: { ...ours, directUrl: null, bundledLibs: ['libfabric-fc70961d.so.1.29.0', 'libucp-e470a167.so.0.0.0'], ucxPluginLdd: '\tlibucp-e470a167.so.0.0.0 => /x/nixl.libs/libucp-e470a167.so.0.0.0 (0x0)' },
      source: 'pypi-wheel', problem: /PyPI nixl wheel \(\/w\/venv\/.*\/nixl\) with its own UCX in nixl\.libs\/ \(libucp-e470a167\.so\.0\.0\.0\).*ray\[llm\]/,
    },
    { name: 'a plugin that loads another UCX', probe: { ...ours, ucxPluginLdd: '\tlibucp.so.0 => /usr/lib/libucp.so.0 (0x1)' }, source: 'other', problem: /loads \/usr\/lib\/libucp\.so\.0, not the UCX at \/w\/ucx/ },
    { name: 'a plugin whose UCX is not found', probe: { ...ours, ucxPluginLdd: '\tlibucp.so.0 => not found' }, source: 'other', problem: /a libucp that is not found/ },
    { name: 'no UCX plugin', probe: { ...ours, pluginFiles: ['libplugin_POSIX.so'], ucxPluginLdd: null }, source: 'other', problem: /has no UCX plugin .*libplugin_POSIX\.so/ },
    { name: 'nixl does not import', probe: { imported: false, error: "import nixl failed: ImportError: cannot import name '_bindings'" }, source: 'not-importable', problem: /import nixl fails in the venv \(.*_bindings/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = judgeNixlInstall(c.probe, '/w/ucx/');
      assert.equal(v.source, c.source);
      if (c.problem) assert.match(v.problem ?? '', c.problem);
      else assert.equal(v.problem, undefined);
    });
  }
});
