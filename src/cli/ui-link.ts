/** Link to a run in the Temporal Web UI: PDFLOW_UI_URL, else the dev server's UI (gRPC port + 1000). */
export function uiBase(address: string): string {
  if (process.env.PDFLOW_UI_URL) return process.env.PDFLOW_UI_URL.replace(/\/$/, '');
  const m = /^(.*):(\d+)$/.exec(address);
  if (m && /^(127\.|localhost|\[::1\])/.test(m[1]!)) return `http://${m[1]}:${Number(m[2]) + 1000}`;
  return 'https://cloud.temporal.io';
}

export function uiLink(address: string, namespace: string, workflowId: string): string {
  return `${uiBase(address)}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
