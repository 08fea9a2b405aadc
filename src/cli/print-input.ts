// `pdflow run --print-input`: the short input a run takes, for the Web UI's Start Workflow form and
// `temporal workflow start`. Paths are read on the worker's machine, so they are printed absolute.
import path from 'node:path';
import { BadInputError } from './errors.js';
import { runInput, type RunFiles } from './start-run.js';
import { quoteArg as shellQuote } from '../activities/ssh/quote.js';
import type { StageName } from '../workflows/stage-types.js';
import { workflowId } from '../common/ids.js';

export interface PrintInputOptions {
  files: RunFiles;
  stages: StageName[];
  runSweep: boolean;
  taskQueue: string;
  /** true or "paths": the files' paths; "inline": the documents. */
  form: string | boolean;
  clusterFile: string;
  sweepFile?: string;
}

export function printRunInput(o: PrintInputOptions): void {
  const form = o.form === true ? 'paths' : o.form;
  if (form !== 'paths' && form !== 'inline') throw new BadInputError(`--print-input "${form}": choose paths (the default) or inline`);
  const docs = form === 'inline' ? o.files.docs : {
    cluster: path.resolve(o.clusterFile) as unknown as Record<string, unknown>,
    ...(o.sweepFile ? { sweep: path.resolve(o.sweepFile) as unknown as Record<string, unknown> } : {}),
  };
  const pipelineInput = runInput({ cluster: o.files.cluster, plan: o.files.plan, docs, stages: o.stages, runSweep: o.runSweep });
  const sweepAlone = o.runSweep && o.stages.length === 0;
  const type = sweepAlone ? 'sweep' : 'pipeline';
  const input = sweepAlone ? { cluster: pipelineInput.cluster, sweep: pipelineInput.sweep } : pipelineInput;
  const json = JSON.stringify(input);
  console.log(JSON.stringify(input, null, 2));
  const id = workflowId(o.files.cluster.name, type, new Date(), 1);
  console.error([
    '',
    `Workflow type: ${type}    Task queue: ${o.taskQueue}    Workflow id: any new id, e.g. ${id}`,
    form === 'paths' ? 'The paths are read by the worker: start it where these files are (or use --print-input inline).' : '',
    'Temporal CLI:',
    `  temporal workflow start --type ${type} --task-queue ${shellQuote(o.taskQueue)} --workflow-id ${shellQuote(id)} --input ${shellQuote(json)}`,
  ].filter(Boolean).join('\n'));
}
