// The task queue pdflow's workers poll unless told otherwise (its own module: the CLI's help
// texts name it without loading the worker).
export const DEFAULT_TASK_QUEUE = 'pdflow';
