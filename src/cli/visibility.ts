/** A value inside a Temporal visibility query, single-quoted with quotes escaped. */
export function quoteVisibilityValue(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
