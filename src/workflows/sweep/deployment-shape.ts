// What activities get of a deployment.
import type { PlannedDeployment } from '../../plan/types.js';

/**
 * The deployment without its point list, which activities never read and which made every
 * activity's input (and so the history) grow with the sweep (~350 B a point).
 */
export function shapeOf(dep: PlannedDeployment): PlannedDeployment {
  return { ...dep, points: [] };
}
