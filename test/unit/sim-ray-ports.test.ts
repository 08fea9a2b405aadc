// The simulated cluster's Ray ports lie outside the kernel's ephemeral range: a port picked from
// it can be taken by any outgoing connection before Ray binds it (or binds it again after a
// node's reboot), and a raylet whose dashboard agent cannot bind its port dies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ephemeralPortRange, rayPortWindow, simRayConfig } from '../../src/sim/ray-ports.js';

test('rayPortWindow: from 20000 to just below the ephemeral range, never into it', () => {
  const cases: { ephemeral: [number, number]; want: [number, number] | RegExp }[] = [
    { ephemeral: [32768, 60999], want: [20000, 32767] },
    { ephemeral: [40000, 60999], want: [20000, 32767] },
    { ephemeral: [25000, 60999], want: [20000, 24999] },
    { ephemeral: [20500, 60999], want: /ephemeral port range starts at 20500.*ip_local_port_range/ },
    { ephemeral: [1024, 65535], want: /starts at 1024/ },
  ];
  for (const c of cases) {
    if (c.want instanceof RegExp) assert.throws(() => rayPortWindow(c.ephemeral[0]), c.want, String(c.ephemeral));
    else assert.deepEqual(rayPortWindow(c.ephemeral[0]), c.want, String(c.ephemeral));
  }
});

test('simRayConfig: five distinct ports between Ray\'s worker ports and this machine\'s ephemeral range', async () => {
  const [lo] = await ephemeralPortRange();
  for (let i = 0; i < 20; i++) {
    const c = await simRayConfig();
    const ports = [c.port, c.dashboardPort, c.dashboardAgentPort, c.clientServerPort, c.serveHttpPort];
    assert.equal(new Set(ports).size, 5, String(ports));
    for (const p of ports) assert.ok(p >= 20000 && p < lo, `${p} is outside [20000, ${lo})`);
  }
});
