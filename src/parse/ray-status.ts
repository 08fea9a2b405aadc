// `ray status` of Ray 2.x: the "Node status" section (Active/Idle or older Healthy, Pending,
// Recent failures) and the resource usage ("Total Usage:" in 2.5x, "Usage:" before).
import { ParseError } from './errors.js';
import { cleanLines } from './text.js';

const TOOL = 'ray status';

export interface UsedTotal {
  used: number;
  total: number;
}

export interface RayNodeGroup {
  /** "node_<56 hex>" on manually started clusters, else the node type. */
  id: string;
  count: number;
  idle: boolean;
}

export interface RayFailure {
  id: string;
  /** e.g. "NodeTerminated", "LaunchFailed" */
  cause: string;
  ip?: string;
  line: string;
}

export interface RayStatus {
  timestamp?: string;
  nodes: RayNodeGroup[];
  /** Active plus idle nodes (both are alive). */
  nodesActive: number;
  nodesPending: number;
  /** Nodes listed under "Recent failures" as terminated. */
  nodesDead: number;
  pending: string[];
  failures: RayFailure[];
  cpu: UsedTotal;
  gpu: UsedTotal;
  /** Every resource line; memory and object store in bytes. */
  resources: Record<string, UsedTotal>;
  /** Lines under Demands, without "(no resource demands)". */
  demands: string[];
}

type Section = 'none' | 'active' | 'idle' | 'pending' | 'failures' | 'usage' | 'demands' | 'other';

/** Parses `ray status`. No running cluster → ParseError with code "not-running". */
export function parseRayStatus(text: string): RayStatus {
  const lines = cleanLines(text);
  const notRunning = lines.find((l) => /Could not find any running Ray instance|Unable to connect to GCS|Failed to connect to GCS/i.test(l.text));
  const sawHeader = lines.some((l) => /Autoscaler status|^Node status/.test(l.text.trim()));
  if (notRunning && !sawHeader) throw new ParseError(TOOL, 'no running Ray cluster on this node (start it with the ray stage)', { lineNumber: notRunning.n, line: notRunning.text }, 'not-running');
  if (!sawHeader) throw new ParseError(TOOL, 'no "Node status" section (expected the output of `ray status`)', lines[0] ? { lineNumber: lines[0].n, line: lines[0].text } : {});

  const st: RayStatus = {
    nodes: [], nodesActive: 0, nodesPending: 0, nodesDead: 0, pending: [], failures: [],
    cpu: { used: 0, total: 0 }, gpu: { used: 0, total: 0 }, resources: {}, demands: [],
  };
  let section: Section = 'none';
  for (const l of lines) {
    const t = l.text.trim();
    const ts = /Autoscaler status:\s*(.*?)\s*=+$/.exec(t);
    if (ts) { st.timestamp = ts[1]; continue; }
    if (/^-{5,}$/.test(t) || t === 'Node status' || t === 'Resources') continue;
    const head = /^(Active|Healthy|Idle|Pending|Recent failures|Total Usage|Usage|Total Demands|Demands|Pending Demands|Total Constraints|Constraints|From request_resources):$/.exec(t);
    if (head) {
      section = ({
        Active: 'active', Healthy: 'active', Idle: 'idle', Pending: 'pending', 'Recent failures': 'failures',
        'Total Usage': 'usage', Usage: 'usage', 'Total Demands': 'demands', Demands: 'demands', 'Pending Demands': 'demands',
      } as Record<string, Section>)[head[1]!] ?? 'other';
      continue;
    }
    if (/^Node: /.test(t)) break; // `ray status -v`: the per-node breakdown ends the output; totals are read
    if (/^\(no .*\)$|^\(none\)$/.test(t)) continue;
    switch (section) {
      case 'active':
      case 'idle': {
        const m = /^(\d+)\s+(\S+)$/.exec(t);
        if (!m) throw new ParseError(TOOL, 'expected "<count> <node>" under the node list', { lineNumber: l.n, line: l.text });
        st.nodes.push({ id: m[2]!, count: Number(m[1]), idle: section === 'idle' });
        break;
      }
      case 'pending': {
        st.pending.push(t);
        const launching = /,\s*(\d+) launching$/.exec(t);
        st.nodesPending += launching ? Number(launching[1]) : 1;
        break;
      }
      case 'failures': {
        const m = /^(\S+):\s*(\w+)(?:\s*\(ip:\s*([^)]+)\))?/.exec(t);
        if (!m) throw new ParseError(TOOL, 'expected "<node>: <cause>" under Recent failures', { lineNumber: l.n, line: l.text });
        const f: RayFailure = { id: m[1]!, cause: m[2]!, line: t };
        if (m[3]) f.ip = m[3].trim();
        st.failures.push(f);
        break;
      }
      case 'usage': {
        const m = /^(\S+)\/(\S+)\s+(\S+)/.exec(t);
        if (!m) throw new ParseError(TOOL, 'expected "<used>/<total> <resource>" under Usage', { lineNumber: l.n, line: l.text });
        const used = quantity(m[1]!);
        const total = quantity(m[2]!);
        if (used === undefined || total === undefined) throw new ParseError(TOOL, `cannot read the amounts of ${m[3]}`, { lineNumber: l.n, line: l.text });
        st.resources[m[3]!] = { used, total };
        break;
      }
      case 'demands': st.demands.push(t); break;
      default: break;
    }
  }
  st.nodesActive = st.nodes.reduce((n, g) => n + g.count, 0);
  st.nodesDead = st.failures.filter((f) => f.cause === 'NodeTerminated').length;
  st.cpu = st.resources.CPU ?? st.cpu;
  st.gpu = st.resources.GPU ?? st.gpu;
  return st;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5 };

/** "16.0" → 16; "3.10TiB" → bytes. */
function quantity(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]iB|B)?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1);
}
