// The EFA installer's libfabric on a simulated node: <sysfs root>/opt/amazon/efa with a header and
// a real (tiny) libfabric.so, so NIXL's meson links its LIBFABRIC plugin against it as on a p5
// (build-nixl.sh looks under ${PDFLOW_SYSFS_ROOT}/opt/amazon/efa). Absent when the node has no
// libfabric, as on the CPU head.
import { execFile } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type NodeHardware, sysfsRoot } from './hardware.js';

const execFileP = promisify(execFile);

export const efaInstallDir = (stateDir: string) => path.join(sysfsRoot(stateDir), 'opt', 'amazon', 'efa');

const FABRIC_H = `/* libfabric's rdma/fabric.h (pdflow simulator stand-in): what NIXL's LIBFABRIC plugin calls. */
#pragma once
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
uint32_t fi_version(void);
#ifdef __cplusplus
}
#endif
`;

export async function writeEfaSoftware(stateDir: string, hw: NodeHardware): Promise<void> {
  const dir = efaInstallDir(stateDir);
  await rm(dir, { recursive: true, force: true });
  if (!hw.libfabric) return;
  const [major = '2', minor = '1'] = hw.libfabricVersion.split('.');
  await mkdir(path.join(dir, 'include', 'rdma'), { recursive: true });
  await mkdir(path.join(dir, 'lib'), { recursive: true });
  await writeFile(path.join(dir, 'include', 'rdma', 'fabric.h'), FABRIC_H);
  const src = path.join(dir, 'lib', 'fabric-stub.c');
  await writeFile(src, `#include <stdint.h>\nuint32_t fi_version(void) { return (${Number(major) || 2}u << 16) | ${Number(minor) || 0}u; }\n`);
  await execFileP('gcc', ['-shared', '-fPIC', '-O0', '-Wl,-soname,libfabric.so.1', '-o', path.join(dir, 'lib', 'libfabric.so.1'), src]);
  await rm(src);
  await symlink('libfabric.so.1', path.join(dir, 'lib', 'libfabric.so'));
}
