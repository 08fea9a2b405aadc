// `ucx_info -v` (version and configure flags) and `ucx_info -d` (memory domains and transports).
import { ParseError } from './errors.js';
import { cleanLines } from './text.js';

export interface UcxVersion {
  /** e.g. "1.20.0" */
  version: string;
  libraryPath?: string;
  apiVersion?: string;
  gitBranch?: string;
  gitRevision?: string;
  /** The ./configure arguments, split on blanks; [] when ucx_info does not print them. */
  configureFlags: string[];
  /** --with-efa given to configure; undefined when the flags are unknown. */
  withEfa?: boolean;
}

/** Parses `ucx_info -v` of UCX 1.12 ... 1.20 ("Library version:" or older "UCT version="). */
export function parseUcxInfoVersion(text: string): UcxVersion {
  const tool = 'ucx_info -v';
  const lines = cleanLines(text);
  let version: string | undefined;
  const out: Omit<UcxVersion, 'version'> = { configureFlags: [] };
  let sawConfigure = false;
  for (const l of lines) {
    const t = l.text.replace(/^#\s*/, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^Library version:\s*(\S+)/i.exec(t))) version = m[1];
    else if ((m = /^UCT version=(\S+)(?:\s+revision\s+(\S+))?/i.exec(t))) { version ??= m[1]; if (m[2]) out.gitRevision = m[2]; }
    else if ((m = /^Library path:\s*(\S+)/i.exec(t))) out.libraryPath = m[1];
    else if ((m = /^API headers version:\s*(\S+)/i.exec(t))) out.apiVersion = m[1];
    else if ((m = /^Git branch '([^']*)', revision\s+(\S+)/i.exec(t))) { out.gitBranch = m[1]; out.gitRevision = m[2]; }
    else if ((m = /^Configured with:\s*(.*)$/i.exec(t))) { sawConfigure = true; out.configureFlags = m[1]!.split(/\s+/).filter((f) => f !== ''); }
  }
  if (!version) {
    const bad = lines.find((l) => /command not found|No such file|error while loading shared libraries/i.test(l.text));
    if (bad) throw new ParseError(tool, 'ucx_info did not run (UCX not installed or its libraries not on the library path)', { lineNumber: bad.n, line: bad.text }, 'not-installed');
    throw new ParseError(tool, 'no "Library version:" line', lines[0] ? { lineNumber: lines[0].n, line: lines[0].text } : {});
  }
  if (sawConfigure) {
    const efa = out.configureFlags.filter((f) => /^--(with|without)-efa(=|$)/.test(f)).pop();
    out.withEfa = efa !== undefined && efa.startsWith('--with-efa') && efa !== '--with-efa=no';
  }
  return { version, ...out };
}

export interface UcxTransport {
  /** e.g. "srd", "ud_verbs", "rc_verbs", "tcp", "cuda_ipc" */
  transport: string;
  /** As printed, e.g. "rdmap79s0:1", "ens32", "memory". */
  device: string;
  memoryDomain?: string;
  /** "network", "intra-node", "accelerator", "loopback" */
  type?: string;
  /** The bandwidth capability line as printed, e.g. "11797.08/ppn + 0.00 MB/sec". */
  bandwidth?: string;
}

export interface UcxDevices {
  memoryDomains: Array<{ name: string; component?: string }>;
  transports: UcxTransport[];
}

/** Parses `ucx_info -d`: every "Transport:"/"Device:" pair, with its memory domain. */
export function parseUcxInfoDevices(text: string): UcxDevices {
  const tool = 'ucx_info -d';
  const lines = cleanLines(text);
  const out: UcxDevices = { memoryDomains: [], transports: [] };
  let domain: { name: string; component?: string } | undefined;
  let pending: { transport: string; lineNumber: number; line: string } | undefined;
  let last: UcxTransport | undefined;
  for (const l of lines) {
    const t = l.text.replace(/^#\s*/, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^Memory domain:\s*(\S+)/.exec(t))) {
      domain = { name: m[1]! };
      out.memoryDomains.push(domain);
      last = undefined;
    } else if ((m = /^Component:\s*(\S+)/.exec(t)) && domain && domain.component === undefined) {
      domain.component = m[1];
    } else if ((m = /^Transport:\s*(\S+)/.exec(t))) {
      if (pending) throw new ParseError(tool, `transport "${pending.transport}" has no "Device:" line`, { lineNumber: pending.lineNumber, line: pending.line });
      pending = { transport: m[1]!, lineNumber: l.n, line: l.text };
      last = undefined;
    } else if ((m = /^Device:\s*(\S+)/.exec(t))) {
      if (!pending) continue; // "Device:" of a connection manager block
      last = { transport: pending.transport, device: m[1]! };
      if (domain) last.memoryDomain = domain.name;
      out.transports.push(last);
      pending = undefined;
    } else if ((m = /^Type:\s*(\S+)/.exec(t)) && last && last.type === undefined) {
      last.type = m[1];
    } else if ((m = /^bandwidth:\s*(.+)$/.exec(t)) && last && last.bandwidth === undefined) {
      last.bandwidth = m[1]!.trim();
    }
  }
  if (pending) throw new ParseError(tool, `transport "${pending.transport}" has no "Device:" line`, { lineNumber: pending.lineNumber, line: pending.line });
  if (out.memoryDomains.length === 0 && out.transports.length === 0) {
    const bad = lines.find((l) => /command not found|No such file|error while loading shared libraries/i.test(l.text));
    if (bad) throw new ParseError(tool, 'ucx_info did not run (UCX not installed or its libraries not on the library path)', { lineNumber: bad.n, line: bad.text }, 'not-installed');
    throw new ParseError(tool, 'no "Memory domain:" or "Transport:" lines', lines[0] ? { lineNumber: lines[0].n, line: lines[0].text } : {});
  }
  return out;
}

/** "rdmap79s0:1" → "rdmap79s0" */
export function ucxDeviceBaseName(device: string): string {
  return device.replace(/:\d+$/, '');
}

/** Transports by device base name, e.g. { rdmap79s0: ["srd", "ud_verbs"] }. */
export function transportsByDevice(info: UcxDevices): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of info.transports) {
    const list = (out[ucxDeviceBaseName(t.device)] ??= []);
    if (!list.includes(t.transport)) list.push(t.transport);
  }
  return out;
}

/** Device base names that offer `transport` (e.g. every EFA device for "srd" on a good build). */
export function devicesWithTransport(info: UcxDevices, transport: string): string[] {
  return [...new Set(info.transports.filter((t) => t.transport === transport).map((t) => ucxDeviceBaseName(t.device)))];
}
