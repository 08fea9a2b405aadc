// Workflow ids say what runs: pdflow-<cluster>-<stage|sweep>-<yyyymmdd-hhmmss> (DESIGN.md).
export function timestampId(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** `attempt` > 1 adds "-<attempt>": the second run started in the same second gets "-2". */
export function workflowId(cluster: string, what: string, d: Date = new Date(), attempt = 1): string {
  return `pdflow-${cluster}-${what}-${timestampId(d)}${attempt > 1 ? `-${attempt}` : ''}`;
}
