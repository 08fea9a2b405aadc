// A run's progress on the reader's clock. The workflow answers with durable facts as of its own
// clock (`asOf`), which stands still between workflow tasks; elapsed, ETA and GPU-hours move on
// from there with the time the reader sees.
import type { RunProgress } from '../workflows/messages.js';

export function liveProgress(p: RunProgress, nowMs: number = Date.now()): RunProgress {
  if (!['running', 'paused'].includes(p.state)) return p;
  const asOfMs = p.asOf ? Date.parse(p.asOf) : NaN;
  const startedMs = Date.parse(p.startedAt);
  const since = Number.isFinite(asOfMs) ? Math.max(0, (nowMs - asOfMs) / 1000) : 0;
  return {
    ...p,
    elapsedSec: Number.isFinite(startedMs) ? Math.max(p.elapsedSec, (nowMs - startedMs) / 1000) : p.elapsedSec,
    ...(p.etaSec !== undefined ? { etaSec: Math.max(0, p.etaSec - since) } : {}),
    ...(p.gpuHours !== undefined ? { gpuHours: p.gpuHours + ((p.heldGpus ?? 0) * since) / 3600 } : {}),
  };
}
