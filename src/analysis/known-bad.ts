// Software stacks known to give wrong or hung KV transfers: a point measured on one is shown but
// never trusted (never on the frontier, never "best"). Checked at plan time, when a record is made
// and when results are imported. Pure.
import type { BenchHardware, BenchPointRecord, DeploymentMode, RecordFlag } from './records.js';

export interface KnownBadCombination {
  /** NIXL backend of the KV connector. */
  backend: 'UCX' | 'LIBFABRIC';
  /** Component → version range: "0.11.x" (that major.minor), "0.6.1" (exactly). */
  versions: Record<string, string>;
  /** The transfer path that breaks: "efa" needs EFA devices on the nodes. */
  transport?: 'efa';
  /** Deployment modes that move KV between engines. */
  modes: DeploymentMode[];
  reason: string;
  link: string;
}

export const KNOWN_BAD: readonly KnownBadCombination[] = [
  {
    backend: 'LIBFABRIC',
    versions: { vllm: '0.11.x', nixl: '0.6.x' },
    transport: 'efa',
    modes: ['pd-pack', 'pd-spread'],
    reason: 'NIXL backend LIBFABRIC with vLLM 0.11 and NIXL 0.6 corrupts or hangs KV transfers on EFA',
    link: 'https://github.com/vllm-project/vllm/issues/27055',
  },
];

/** Whether `version` lies in `range`: "0.11.x" matches 0.11.0 and 0.11.2rc1, "0.6.1" only 0.6.1 (a leading "v" is ignored). */
export function versionInRange(version: string, range: string): boolean {
  const v = version.trim().replace(/^v/i, '');
  const r = range.trim().replace(/^v/i, '');
  if (r.endsWith('.x')) {
    const prefix = r.slice(0, -1); // "0.11."
    return v.startsWith(prefix) || v === prefix.slice(0, -1);
  }
  return v === r || v.startsWith(`${r}+`);
}

export interface StackFacts {
  mode: DeploymentMode;
  backend?: 'UCX' | 'LIBFABRIC';
  /** Absent or missing a component: that component is unknown. */
  versions?: Record<string, string>;
  /** Absent: the transport is unknown. */
  hardware?: Pick<BenchHardware, 'efaDevices'>;
}

/**
 * The flags a stack earns: "known-bad" when every fact matches an entry, "suspect" when the known
 * facts match and the rest are unknown (an import without versions), none when a known fact rules
 * the entry out (another version, another backend, no EFA).
 */
export function knownBadFlags(s: StackFacts, table: readonly KnownBadCombination[] = KNOWN_BAD): RecordFlag[] {
  const flags: RecordFlag[] = [];
  for (const e of table) {
    if (!e.modes.includes(s.mode) || s.backend !== e.backend) continue;
    const unknown: string[] = [];
    let ruledOut = false;
    for (const [component, range] of Object.entries(e.versions)) {
      const v = s.versions?.[component];
      if (v === undefined || v === '') unknown.push(`${component} version`);
      else if (!versionInRange(v, range)) ruledOut = true;
    }
    if (e.transport === 'efa') {
      const efa = s.hardware?.efaDevices;
      if (efa === undefined) unknown.push('whether EFA was used');
      else if (efa === 0) ruledOut = true;
    }
    if (ruledOut) continue;
    flags.push(unknown.length === 0
      ? { kind: 'known-bad', reason: e.reason, link: e.link }
      : { kind: 'suspect', reason: `${e.reason}; this run may be one (${unknown.join(', ')} unknown)`, link: e.link });
  }
  return flags;
}

/** The flags of a record's own facts (deployment, versions, hardware). */
export function knownBadFlagsOf(r: Pick<BenchPointRecord, 'deployment' | 'versions' | 'hardware'>): RecordFlag[] {
  const facts: StackFacts = { mode: r.deployment.mode };
  if (r.deployment.backend) facts.backend = r.deployment.backend;
  if (r.versions) facts.versions = r.versions;
  if (r.hardware) facts.hardware = r.hardware;
  return knownBadFlags(facts);
}

export function isFlagged(r: Pick<BenchPointRecord, 'flags'>): boolean {
  return (r.flags?.length ?? 0) > 0;
}

/** "known-bad: <reason> (<link>)" */
export function flagText(f: RecordFlag): string {
  return `${f.kind}: ${f.reason}${f.link ? ` (${f.link})` : ''}`;
}

/** The record's flags on one line ("" when none); the same flag from two sources shows once. */
export function flagsText(r: Pick<BenchPointRecord, 'flags'>): string {
  return [...new Set((r.flags ?? []).map(flagText))].join('; ');
}

/** A record with the flags added (deduplicated by kind and reason); the input is not changed. */
export function withFlags<T extends Pick<BenchPointRecord, 'flags'>>(r: T, flags: RecordFlag[]): T {
  if (flags.length === 0) return r;
  const all = [...(r.flags ?? [])];
  for (const f of flags) if (!all.some((g) => g.kind === f.kind && g.reason === f.reason)) all.push(f);
  return { ...r, flags: all };
}
