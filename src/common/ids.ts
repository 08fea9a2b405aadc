// Workflow ids say what runs: pdflow-<cluster>-<stage|sweep>-<yyyymmdd-hhmmss> (README "Commands").
export function timestampId(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** `attempt` > 1 adds "-<attempt>": the second run started in the same second gets "-2". */
export function workflowId(cluster: string, what: string, d: Date = new Date(), attempt = 1): string {
  return `pdflow-${cluster}-${what}-${timestampId(d)}${attempt > 1 ? `-${attempt}` : ''}`;
}

/**
 * The id of a pipeline's sweep child, derived from the pipeline's own id at run time (never from
 * its input, so a copied input cannot make a new run take an old run's sweep id):
 * pdflow-c-pipeline-20261202-220000 → pdflow-c-sweep-20261202-220000; any other id gets "-sweep".
 */
export function sweepChildId(pipelineId: string): string {
  const at = pipelineId.lastIndexOf('-pipeline-');
  return at >= 0 ? `${pipelineId.slice(0, at)}-sweep-${pipelineId.slice(at + '-pipeline-'.length)}` : `${pipelineId}-sweep`;
}
