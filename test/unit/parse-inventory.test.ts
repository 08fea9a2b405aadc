// inventory.sh's JSON line (raw nvidia-smi / fi_info output) read with src/parse's tool parsers, on
// real outputs; and the build-prerequisite judge (issue 9 item 13, issue 10 point 5).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  GPU_QUERY_FIELDS, installCommand, missingPrerequisites, ParseError, parseLastJsonLine, parseNvidiaSmiQuery, prerequisitesMessage, readInventory,
  type PrerequisiteFacts,
} from '../../src/parse/index.js';
import { parseClusterYaml } from '../../src/config/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');

const ALL_PRESENT: PrerequisiteFacts = {
  os: { id: 'ubuntu', version: '22.04' },
  commands: { 'python3.11': '/usr/bin/python3.11', gcc: '/usr/bin/gcc', 'g++': '/usr/bin/g++', make: '/usr/bin/make', autoconf: '/usr/bin/autoconf', automake: '/usr/bin/automake', libtoolize: '/usr/bin/libtoolize', 'pkg-config': '/usr/bin/pkg-config', git: '/usr/bin/git' },
  headers: { 'infiniband/verbs.h': '/usr/include/infiniband/verbs.h', 'infiniband/efadv.h': '/usr/include/infiniband/efadv.h', 'Python.h': '/usr/include/python3.11/Python.h' },
};

/** An inventory.sh JSON line around raw tool output. */
function line(o: { query?: string; exitCode?: number | null; banner?: string; fiEfa?: string | null; fields?: string } = {}) {
  return {
    script: 'inventory', hostname: 'gpu-1', cpus: 192, memTotalKiB: 2_000_000_000,
    nvidiaSmi: { path: o.exitCode === null ? null : '/usr/bin/nvidia-smi', queryFields: o.fields ?? GPU_QUERY_FIELDS.join(','), exitCode: o.exitCode === undefined ? 0 : o.exitCode, query: o.query ?? '', banner: o.banner ?? '' },
    efa: { sysfsPath: '/sys/class/infiniband', sysfsDevices: [] },
    fiInfo: o.fiEfa === null || o.fiEfa === undefined ? { path: null, version: '', exitCode: null, efa: '' } : { path: '/opt/amazon/efa/bin/fi_info', version: 'fi_info: 2.1.0amzn3.0\nlibfabric: 2.1.0amzn3.0\nlibfabric api: 2.1', exitCode: 0, efa: o.fiEfa },
    disk: { path: '/home/ubuntu/pdflow', measuredAt: '/home/ubuntu', freeBytes: 1e12, totalBytes: 2e12 },
    python: { path: '/usr/bin/python3.11', version: '3.11.9' },
    venv: null,
    prerequisites: ALL_PRESENT,
  };
}

describe('readInventory', () => {
  it('reads the raw query CSV and banner of a real H200 pair and fi_info of a p5 with the tool parsers', () => {
    const inv = readInventory(line({ query: fx('h200x2/query-gpu.csv'), banner: fx('h200x2/nvidia-smi.txt'), fiEfa: fx('fi-info/p5-efa-32.txt') }));
    assert.equal(inv.gpus.length, 2);
    assert.deepEqual(inv.gpus[1], { index: 1, name: 'NVIDIA H200', memoryTotalMiB: 143771, driverVersion: '580.159.04', pciBusId: '00000000:00:07.0', uuid: 'GPU-5124161d-45c9-3e03-ef88-bfc44c5bca87' });
    assert.equal(inv.driver, '580.159.04');
    assert.equal(inv.cuda, '13.0');
    assert.equal(inv.fiInfo?.devices.length, 32);
    assert.equal(inv.fiVersion, '2.1.0amzn3.0');
    assert.equal(inv.gpuNote, undefined);
  });

  it('reads the real H200 device: the CSV its inventory printed gives what the old bash parser reported', () => {
    const out = fx('h200-device/inventory.out');
    // The old inventory logged the raw CSV (5 fields, no uuid) indented under its command line.
    const csv = out.split('\n').filter((l) => /^ {4}\d+,/.test(l)).map((l) => l.trim()).join('\n');
    const gpus = parseNvidiaSmiQuery(csv, { fields: ['index', 'name', 'memory.total', 'driver_version', 'pci.bus_id'] });
    const old = parseLastJsonLine(out) as { gpus: Array<{ index: number; name: string; memoryMiB: number; driver: string; pciBusId: string }>; cuda: string };
    assert.deepEqual(gpus.map((g) => ({ index: g.index, name: g.name, memoryMiB: g.memoryTotalMiB, driver: g.driverVersion, pciBusId: g.pciBusId })), old.gpus);
    const inv = readInventory(line({ query: fx('h200-device/query-gpu.csv'), fields: 'index,name,memory.total,driver_version,pci.bus_id', banner: fx('h200-device/nvidia-smi.txt') }));
    assert.equal(inv.cuda, old.cuda);
    assert.equal(inv.gpus[0]!.memoryTotalMiB, 143771);
  });

  it('reads the reworked inventory.sh as it ran on a real H200 (raw tool output in its JSON line): GPU, driver, CUDA, no EFA, prerequisites', () => {
    const inv = readInventory(parseLastJsonLine(fx('h200-device-median3/inventory.out')));
    assert.deepEqual(inv.gpus.map((g) => [g.index, g.name, g.memoryTotalMiB, g.driverVersion]), [[0, 'NVIDIA H200', 143771, '580.159.04']]);
    assert.equal(inv.cuda, '13.0');
    assert.equal(inv.fiInfo?.devices.length ?? 0, 0);
    // That machine lacks libtool (libtoolize): the judge names it and the one command.
    const facts = (parseLastJsonLine(fx('h200-device-median3/inventory.out')) as { prerequisites: PrerequisiteFacts }).prerequisites;
    const missing = missingPrerequisites(facts, '3'); // gpu-check runs it without --python: it looked for python3
    assert.deepEqual(missing.map((m) => m.what), ['libtool']);
  });

  const noGpu: Array<{ name: string; o: Parameters<typeof line>[0]; note: RegExp }> = [
    { name: 'nvidia-smi not installed', o: { exitCode: null }, note: /not installed/ },
    { name: 'nvidia-smi on PATH without its program (exit 127)', o: { exitCode: 127, query: 'nvidia-smi: command not found' }, note: /not installed/ },
    { name: 'nvidia-smi cannot reach the driver', o: { exitCode: 9, query: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." }, note: /exited 9: .*could not talk to the driver/ },
    { name: 'no devices', o: { exitCode: 6, query: 'No devices were found' }, note: /exited 6: No devices were found/ },
  ];
  for (const c of noGpu) {
    it(`no GPUs with a note when ${c.name}`, () => {
      const inv = readInventory(line(c.o));
      assert.deepEqual(inv.gpus, []);
      assert.match(inv.gpuNote ?? '', c.note);
    });
  }

  it('fi_info on PATH without its program (exit 127) counts as not installed', () => {
    const j = line({ fiEfa: 'fi_info: command not found' });
    assert.equal(readInventory({ ...j, fiInfo: { ...j.fiInfo, exitCode: 127 } }).fiInfo, null);
  });

  it('fi_info that found no provider gives 0 devices and its note', () => {
    assert.match(readInventory(line({ fiEfa: fx('fi-info/no-provider.txt') })).fiInfo?.note ?? '', /no EFA provider/);
  });

  it('a JSON line of another shape is a ParseError naming the field', () => {
    const bad = { ...line(), nvidiaSmi: { exitCode: 0 } };
    assert.throws(() => readInventory(bad), (e: unknown) => e instanceof ParseError && /nvidiaSmi\.queryFields/.test(e.message));
    const old = parseLastJsonLine(fx('h200-device/inventory.out'));
    assert.throws(() => readInventory(old), ParseError);
  });
});

describe('build prerequisites', () => {
  const without = (f: PrerequisiteFacts, commands: string[], headers: string[] = [], os?: PrerequisiteFacts['os']): PrerequisiteFacts => ({
    os: os ?? f.os,
    commands: Object.fromEntries(Object.entries(f.commands).map(([k, v]) => [k, commands.includes(k) ? null : v])),
    headers: Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k, headers.includes(k) ? null : v])),
  });
  const cases: Array<{ name: string; facts: PrerequisiteFacts; packages: string[]; message?: RegExp }> = [
    { name: 'a complete Ubuntu DLAMI', facts: ALL_PRESENT, packages: [] },
    {
      name: 'Ubuntu without autotools, python3.11-dev and the EFA headers',
      facts: without(ALL_PRESENT, ['autoconf', 'automake', 'libtoolize'], ['Python.h', 'infiniband/efadv.h']),
      packages: ['python3.11-dev', 'autoconf', 'automake', 'libtool', 'libibverbs-dev'],
      message: /node gpu-1 \(ubuntu 22\.04\) lacks .*Python\.h of python3\.11 .*\(package python3\.11-dev\).*infiniband\/efadv\.h .*\(package libibverbs-dev\); install them with: sudo apt-get update && sudo apt-get install -y python3\.11-dev autoconf automake libtool libibverbs-dev, or set provision\.installPrerequisites: true/,
    },
    {
      name: 'Amazon Linux 2023 without python3.11, g++ and pkg-config',
      facts: without(ALL_PRESENT, ['python3.11', 'g++', 'pkg-config'], ['Python.h'], { id: 'amzn', version: '2023' }),
      packages: ['python3.11', 'python3.11-devel', 'gcc-c++', 'pkgconf-pkg-config'],
      message: /install them with: sudo dnf install -y python3\.11 python3\.11-devel gcc-c\+\+ pkgconf-pkg-config,/,
    },
    {
      name: 'an unknown OS without git: apt names, said so',
      facts: without(ALL_PRESENT, ['git'], [], { id: 'arch', version: '' }),
      packages: ['git'],
      message: /\(arch\) lacks .*git \(package git\).*apt-get names; this OS is not one pdflow knows/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(missingPrerequisites(c.facts, '3.11').map((m) => m.package), c.packages);
      const msg = prerequisitesMessage('gpu-1', c.facts, '3.11');
      if (c.message) assert.match(msg ?? '', c.message);
      else assert.equal(msg, undefined);
    });
  }
  it('one package installs both rdma-core headers', () => {
    assert.equal(installCommand('ubuntu', ['libibverbs-dev', 'libibverbs-dev', 'git']), 'sudo apt-get update && sudo apt-get install -y libibverbs-dev git');
  });
});

describe('cluster file: provision.installPrerequisites', () => {
  const base = 'name: c\nssh: { user: ubuntu }\nnodes: [{ name: head, host: 10.0.0.1, role: head, gpus: { count: 0 } }, { name: gpu-1, host: 10.0.0.2, role: worker, gpus: { count: 8 } }]\nmodel: { id: openai/gpt-oss-120b, servedName: gptoss }\n';
  it('defaults to false', () => {
    const r = parseClusterYaml(base, 'cluster.yaml');
    assert.ok(r.ok, JSON.stringify(r));
    if (r.ok) assert.equal(r.value.provision.installPrerequisites, false);
  });
  it('a non-boolean names the field, the value and the fix', () => {
    const r = parseClusterYaml(`${base}provision: { installPrerequisites: "yes" }\n`, 'cluster.yaml');
    assert.equal(r.ok, false);
    const text = JSON.stringify(r);
    assert.match(text, /provision\.installPrerequisites/);
    assert.match(text, /yes/);
    assert.match(text, /true or false/);
  });
});
