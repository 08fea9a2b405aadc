// Which task queue a run goes to: the one the user named; else its cluster's queue when a worker
// serves it (`pdflow worker --cluster FILE`); else the default queue that a plain `pdflow worker` serves.
import type { Client } from '@temporalio/client';
// CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { clusterTaskQueue, DEFAULT_TASK_QUEUE } from '../common/task-queue.js';

export interface Route {
  taskQueue: string;
  why: string;
}

export async function routeTaskQueue(client: Client, clusterName: string, explicit?: string): Promise<Route> {
  if (explicit) return { taskQueue: explicit, why: '--task-queue' };
  const own = clusterTaskQueue(clusterName);
  const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
  const d = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: own, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if ((d.pollers ?? []).length > 0) return { taskQueue: own, why: `a worker serves cluster ${clusterName}` };
  return { taskQueue: DEFAULT_TASK_QUEUE, why: `no worker serves ${own} (\`pdflow worker --cluster FILE\`): the default queue` };
}
