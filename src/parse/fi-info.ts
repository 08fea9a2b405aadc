// `fi_info -p efa`: one block per (fabric, domain, endpoint type). EFA devices are the domains
// without their "-rdm" / "-dgrm" suffix; libfabric 2.x lists each device under "efa" and "efa-direct".
import { ParseError } from './errors.js';
import { cleanLines } from './text.js';

const TOOL = 'fi_info';

export interface FiInfoEntry {
  provider: string;
  fabric?: string;
  domain?: string;
  version?: string;
  /** FI_EP_RDM, FI_EP_DGRAM, ... */
  type?: string;
  protocol?: string;
}

export interface EfaDevice {
  /** e.g. "rdmap79s0" */
  name: string;
  /** Offers a reliable-datagram (FI_EP_RDM, "-rdm") endpoint: what NIXL's libfabric plugin uses. */
  rdm: boolean;
  /** Offers a plain datagram (FI_EP_DGRAM, "-dgrm") endpoint. */
  dgram: boolean;
  /** Fabrics the device appears under, e.g. ["efa", "efa-direct"]. */
  fabrics: string[];
}

export interface FiInfoResult {
  entries: FiInfoEntry[];
  devices: EfaDevice[];
  /** Why there are no devices, when the tool said so ("no provider", "not installed"). */
  note?: string;
}

/**
 * Parses `fi_info -p efa` (stdout and stderr together are fine). "fi_getinfo: -61 (No data
 * available)" — libfabric found no EFA provider — and a missing fi_info give 0 devices with a note.
 */
export function parseFiInfo(text: string): FiInfoResult {
  const lines = cleanLines(text);
  const noProvider = lines.find((l) => /fi_getinfo:\s*-?\d+/.test(l.text));
  const notInstalled = lines.find((l) => /fi_info: (command )?not found|No such file or directory/.test(l.text));
  const entries: FiInfoEntry[] = [];
  let current: FiInfoEntry | undefined;
  for (const l of lines) {
    const m = /^\s*([A-Za-z_][\w ]*?):\s*(.*?)\s*$/.exec(l.text);
    if (!m) {
      if (l === noProvider || l === notInstalled) continue;
      throw new ParseError(TOOL, 'expected "key: value" lines of fi_info blocks', { lineNumber: l.n, line: l.text });
    }
    const key = m[1]!;
    const value = m[2]!;
    if (key === 'provider') {
      current = { provider: value };
      entries.push(current);
      continue;
    }
    if (l === noProvider || l === notInstalled) continue;
    if (!current) throw new ParseError(TOOL, 'a field before the first "provider:" line', { lineNumber: l.n, line: l.text });
    if (key === 'fabric' || key === 'domain' || key === 'version' || key === 'type' || key === 'protocol') current[key] = value;
  }
  if (entries.length === 0) {
    if (noProvider) return { entries, devices: [], note: `libfabric found no EFA provider (${noProvider.text.trim()})` };
    if (notInstalled) return { entries, devices: [], note: `fi_info is not installed (${notInstalled.text.trim()}): no EFA software on this node` };
    if (lines.length === 0) return { entries, devices: [], note: 'fi_info printed nothing' };
  }
  return { entries, devices: efaDevices(entries) };
}

function efaDevices(entries: FiInfoEntry[]): EfaDevice[] {
  const byName = new Map<string, EfaDevice>();
  for (const e of entries) {
    if (!e.provider.split(';').includes('efa') || !e.domain) continue;
    const name = e.domain.replace(/-(rdm|dgrm)$/, '');
    const dev = byName.get(name) ?? { name, rdm: false, dgram: false, fabrics: [] };
    if (e.type === 'FI_EP_RDM' || e.domain.endsWith('-rdm')) dev.rdm = true;
    if (e.type === 'FI_EP_DGRAM' || e.domain.endsWith('-dgrm')) dev.dgram = true;
    if (e.fabric && !dev.fabrics.includes(e.fabric)) dev.fabrics.push(e.fabric);
    byName.set(name, dev);
  }
  return [...byName.values()];
}
