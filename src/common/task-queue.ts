// Task queues (their own module: the CLI's help texts name them without loading the worker).

/** What pdflow's workers poll unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'pdflow';

/**
 * The task queue of one cluster's runs: `pdflow worker --cluster FILE` serves it, so a worker can
 * live next to its nodes (a bastion per site) while one Temporal server coordinates them all.
 */
export const clusterTaskQueue = (clusterName: string): string => `${DEFAULT_TASK_QUEUE}-${clusterName}`;
