import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ParseError, devicesWithTransport, parseFiInfo, parseUcxInfoDevices, parseUcxInfoVersion, transportsByDevice,
} from '../../src/parse/index.js';

const fx = (p: string) => readFileSync(new URL(`../fixtures/node-outputs/${p}`, import.meta.url), 'utf8');

describe('parseFiInfo', () => {
  const cases: Array<{ file: string; devices: number; rdm: number; dgram: number; note?: RegExp }> = [
    { file: 'fi-info/p5-efa-32.txt', devices: 32, rdm: 32, dgram: 32 },
    { file: 'fi-info/one-device-rdm-only.txt', devices: 1, rdm: 1, dgram: 0 },
    { file: 'fi-info/no-provider.txt', devices: 0, rdm: 0, dgram: 0, note: /no EFA provider \(fi_getinfo: -61/ },
    { file: 'fi-info/not-installed.txt', devices: 0, rdm: 0, dgram: 0, note: /not installed/ },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, () => {
      const r = parseFiInfo(fx(c.file));
      assert.equal(r.devices.length, c.devices);
      assert.equal(r.devices.filter((d) => d.rdm).length, c.rdm);
      assert.equal(r.devices.filter((d) => d.dgram).length, c.dgram);
      if (c.note) assert.match(r.note ?? '', c.note);
      else assert.equal(r.note, undefined);
    });
  }
  it('names devices without the endpoint suffix and lists their fabrics', () => {
    const r = parseFiInfo(fx('fi-info/p5-efa-32.txt'));
    assert.deepEqual(r.devices[0], { name: 'rdmap79s0', rdm: true, dgram: true, fabrics: ['efa', 'efa-direct'] });
    assert.equal(r.devices[31]!.name, 'rdmap201s0');
    assert.equal(r.entries.length, 96);
  });
  it('refuses a crash', () => {
    assert.throws(() => parseFiInfo(fx('fi-info/garbage.txt')), (e: unknown) => e instanceof ParseError && e.tool === 'fi_info' && /line 1: "Segmentation fault/.test(e.message));
  });
  it('refuses fields before any provider', () => {
    assert.throws(() => parseFiInfo('    fabric: efa\n'), /before the first "provider:" line/);
  });
});

describe('parseUcxInfoVersion', () => {
  const cases: Array<{ file: string; version: string; withEfa: boolean | undefined; revision?: string }> = [
    { file: 'ucx-info/v-1.20-efa.txt', version: '1.20.0', withEfa: true, revision: '7e03b78' },
    { file: 'ucx-info/v-1.19-no-efa.txt', version: '1.19.0', withEfa: false, revision: '7c5c0d0' },
    { file: 'ucx-info/v-1.12-old.txt', version: '1.12.1', withEfa: false, revision: 'dc92435' },
  ];
  for (const c of cases) {
    it(`reads ${c.file}`, () => {
      const v = parseUcxInfoVersion(fx(c.file));
      assert.equal(v.version, c.version);
      assert.equal(v.withEfa, c.withEfa);
      assert.equal(v.gitRevision, c.revision);
      assert.ok(v.configureFlags.length > 3);
    });
  }
  it('leaves withEfa unknown without a configure line', () => {
    assert.equal(parseUcxInfoVersion('# Library version: 1.20.0\n').withEfa, undefined);
  });
  it('refuses a missing library with code not-installed', () => {
    assert.throws(() => parseUcxInfoVersion(fx('ucx-info/v-missing-lib.txt')), (e: unknown) => e instanceof ParseError && e.code === 'not-installed' && /libucs\.so\.0/.test(e.message));
  });
  it('refuses unrelated output', () => {
    assert.throws(() => parseUcxInfoVersion('hello\n'), /no "Library version:" line \(line 1: "hello"\)/);
  });
});

describe('parseUcxInfoDevices', () => {
  it('lists srd and ud_verbs per EFA device on a build with EFA', () => {
    const d = parseUcxInfoDevices(fx('ucx-info/d-efa-srd.txt'));
    assert.deepEqual(devicesWithTransport(d, 'srd'), ['rdmap79s0', 'rdmap80s0', 'rdmap81s0', 'rdmap82s0']);
    assert.deepEqual(transportsByDevice(d).rdmap79s0, ['srd', 'ud_verbs']);
    assert.deepEqual(transportsByDevice(d).cuda, ['cuda_copy', 'cuda_ipc']);
    const srd = d.transports.find((t) => t.transport === 'srd')!;
    assert.deepEqual(srd, { transport: 'srd', device: 'rdmap79s0:1', memoryDomain: 'rdmap79s0', type: 'network', bandwidth: '11797.08/ppn + 0.00 MB/sec' });
    assert.equal(d.memoryDomains.find((m) => m.name === 'rdmap80s0')?.component, 'ib');
  });
  it('shows no srd on a build without EFA', () => {
    const d = parseUcxInfoDevices(fx('ucx-info/d-no-efa.txt'));
    assert.deepEqual(devicesWithTransport(d, 'srd'), []);
    assert.equal(devicesWithTransport(d, 'ud_verbs').length, 4);
    assert.deepEqual(devicesWithTransport(d, 'tcp'), ['ens32']);
  });
  it('refuses a transport cut off before its device', () => {
    assert.throws(() => parseUcxInfoDevices(fx('ucx-info/d-truncated.txt')), (e: unknown) => e instanceof ParseError && /transport "srd" has no "Device:" line/.test(e.message) && e.lineNumber !== undefined);
  });
  it('refuses a missing library', () => {
    assert.throws(() => parseUcxInfoDevices(fx('ucx-info/v-missing-lib.txt')), (e: unknown) => e instanceof ParseError && e.code === 'not-installed');
  });
});
