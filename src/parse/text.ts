// Text clean-up shared by the parsers: real tools print colour codes, CRs and blank lines.

// CSI sequences (ESC [ ... letter), OSC sequences (ESC ] ... BEL/ST) and lone two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

export interface NumberedLine {
  /** 1-based, counted in the original text. */
  n: number;
  /** Escape codes and trailing CR removed; not trimmed. */
  text: string;
}

/** Lines without escape codes or CRs, numbered as in the input; blank lines dropped unless asked. */
export function cleanLines(s: string, keepBlank = false): NumberedLine[] {
  const out: NumberedLine[] = [];
  stripAnsi(s).split('\n').forEach((raw, i) => {
    const text = raw.replace(/\r+$/, '').replace(/^.*\r/, '');
    if (keepBlank || text.trim() !== '') out.push({ n: i + 1, text });
  });
  return out;
}

/** "143771 MiB" → 143771; "[N/A]", "N/A", "" → undefined. */
export function numberOrUndefined(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** nvidia-smi and friends print "[N/A]", "N/A", "[Not Supported]" for missing values. */
export function isMissingValue(s: string | undefined): boolean {
  return s === undefined || /^\s*\[?(N\/A|Not Supported|Unknown Error)\]?\s*$/i.test(s) || s.trim() === '';
}
