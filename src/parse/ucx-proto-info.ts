// UCX's protocol selection tables (UCX_PROTO_INFO=y, printed at info level to UCX_LOG_FILE by
// ucp/proto/proto_debug.c when a protocol is first selected for an operation):
//
//   [ts] [host:pid:thread]   +--------------------------------+------------------------------+
//   [ts] [host:pid:thread]   | ucp_context_0 intra-node cfg#2 | remote memory read by ucp_get*(multi) into cuda/GPU0 from cuda |
//   [ts] [host:pid:thread]   +--------------------------------+-----------------------+--------+
//   [ts] [host:pid:thread]   |                         0..inf | software emulation    | tcp/lo |
//
// The lane column names transport/device, or "50% on srd/rdmap79s0:1 and 50% on srd/rdmap80s0:1"
// when a multi-lane protocol spreads over several devices (proto_multi.c).
import { cleanLines } from './text.js';

export interface UcxProtoRow {
  /** "0..inf", "8185..inf", "0..8184" */
  range: string;
  /** "zero-copy", "software emulation", "multi-frag copy-in", ... */
  protocol: string;
  /** The lane column as printed. */
  lanes: string;
  /** Transport names of the lanes, in order, e.g. ["srd"], ["tcp"]. */
  transports: string[];
}

export interface UcxProtoTable {
  /** "ucp_context_0 intra-node cfg#2" */
  endpoint: string;
  /** "self", "intra-node", "inter-node" (the word after the context name). */
  peer: string;
  /** "remote memory read by ucp_get*(multi) into cuda/GPU0 from cuda" */
  operation: string;
  rows: UcxProtoRow[];
  /** 1-based line of the table's title in the log. */
  line: number;
}

// The log prefix UCX puts before every compact line: "[1796173614.838873] [vm:549  :0]".
const PREFIX = /^\s*\[\d+(?:\.\d+)?\]\s+\[[^\]]*\]\s*/;
const TITLE = /^\|\s*(ucp_context_\d+\s+(\S+)\s+cfg#\d+)\s*\|\s*(.*?)\s*\|$/;
const ROW = /^\|\s*(\S+\.\.\S+)\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|$/;
const LANE = /([a-z][a-z0-9_]*)\/[^\s,]+/g;

/** Every complete protocol table in a UCX log; a row cut short (an unflushed log) is left out. */
export function parseUcxProtoTables(text: string): UcxProtoTable[] {
  const tables: UcxProtoTable[] = [];
  let current: UcxProtoTable | undefined;
  for (const { n, text: raw } of cleanLines(text)) {
    const line = raw.replace(PREFIX, '').trim();
    let m: RegExpExecArray | null;
    if ((m = TITLE.exec(line))) {
      current = { endpoint: m[1]!, peer: m[2]!, operation: m[3]!, rows: [], line: n };
      tables.push(current);
    } else if (current && (m = ROW.exec(line))) {
      const lanes = m[3]!;
      current.rows.push({ range: m[1]!, protocol: m[2]!, lanes, transports: [...lanes.matchAll(LANE)].map((x) => x[1]!) });
    } else if (!line.startsWith('+')) {
      current = undefined; // any other log line ends the table
    }
  }
  return tables;
}

export interface UcxBulkTransport {
  /** The transport of the largest messages of the READ path, e.g. "srd", "tcp", "cuda_ipc"; null: unknown. */
  transport: string | null;
  /** What it was read from, or why it is unknown (one sentence). */
  evidence: string;
}

/**
 * The transport UCX chose for NIXL's bulk READ (ucp_get*) to the peer: the lane of the row that
 * covers the largest sizes, in the last READ table printed for a peer other than the process
 * itself. No such table (UCX_PROTO_INFO off, the log not flushed yet, or no READ posted): null,
 * never a guess from other operations.
 */
export function ucxBulkReadTransport(text: string): UcxBulkTransport {
  const tables = parseUcxProtoTables(text).filter((t) => /\bucp_get\*/.test(t.operation) && t.peer !== 'self' && t.rows.length > 0);
  const table = tables[tables.length - 1];
  if (!table) {
    return { transport: null, evidence: 'no complete "remote memory read by ucp_get*" table to a peer in the UCX log (UCX_PROTO_INFO=y not applied, or the log was not flushed)' };
  }
  const row = table.rows.find((r) => /\.\.inf$/.test(r.range)) ?? table.rows[table.rows.length - 1]!;
  const kinds = [...new Set(row.transports)];
  if (kinds.length === 0) return { transport: null, evidence: `the READ table at line ${table.line} names no transport in "${row.lanes}"` };
  return { transport: kinds.join('+'), evidence: `UCX log line ${table.line}: ${table.operation}, ${row.range}: ${row.protocol} over ${row.lanes}` };
}
