import type { Command } from 'commander';
import { connectClient } from '../connect.js';
import { connectFlags, printJson } from '../flags.js';
import { BadInputError } from '../errors.js';
import { quoteVisibilityValue } from '../visibility.js';
import { formatTable } from '../table.js';
import { formatDuration } from '../describe-run.js';
import { PdflowCluster, PdflowFailedPoints, PdflowOutcome, PdflowStage, PdflowSweep } from '../../common/search-attributes.js';

const STATUSES: Record<string, string> = {
  running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Canceled',
  terminated: 'Terminated', 'timed-out': 'TimedOut', 'continued-as-new': 'ContinuedAsNew',
};

export function registerList(program: Command) {
  program
    .command('list')
    .description('Recent pdflow runs, newest first (filters use the Pdflow* search attributes)')
    .option('--cluster <name>', 'only runs of this cluster')
    .option('--stage <stage>', 'only this stage: pipeline, provision, build, ray, validate, smoke, sweep, hello')
    .option('--status <status>', `only this status: ${Object.keys(STATUSES).join(', ')}`)
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  pdflow list\n  pdflow list --cluster p5-pair --stage sweep --status running\n')
    .action(async (o: { cluster?: string; stage?: string; status?: string; limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new BadInputError(`--limit: "${o.limit}" is not a positive integer`);
      const clauses = ["PdflowStage IS NOT NULL"];
      if (o.cluster) clauses.push(`PdflowCluster = ${quoteVisibilityValue(o.cluster)}`);
      if (o.stage) clauses.push(`PdflowStage = ${quoteVisibilityValue(o.stage)}`);
      if (o.status) {
        const s = STATUSES[o.status];
        if (!s) throw new BadInputError(`--status: "${o.status}" is not one of ${Object.keys(STATUSES).join(', ')}`);
        clauses.push(`ExecutionStatus = '${s}'`);
      }
      const { client } = await connectClient(connectFlags(cmd));
      const rows: Array<{ workflowId: string; type: string; status: string; outcome?: string; failedPoints?: number; cluster?: string; stage?: string; sweep?: string; start: string; close?: string }> = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
        rows.push({
          workflowId: wf.workflowId,
          type: wf.type,
          status: wf.status.name,
          outcome: wf.typedSearchAttributes.get(PdflowOutcome),
          failedPoints: wf.typedSearchAttributes.get(PdflowFailedPoints),
          cluster: wf.typedSearchAttributes.get(PdflowCluster),
          stage: wf.typedSearchAttributes.get(PdflowStage),
          sweep: wf.typedSearchAttributes.get(PdflowSweep),
          start: wf.startTime.toISOString(),
          close: wf.closeTime?.toISOString(),
        });
        if (rows.length >= limit) break;
      }
      if (o.json) return printJson(rows);
      if (rows.length === 0) return console.log('no runs found');
      const duration = (r: (typeof rows)[number]) => formatDuration(((r.close ? Date.parse(r.close) : Date.now()) - Date.parse(r.start)) / 1000);
      console.log(formatTable(rows.map((r) => ({
        id: r.workflowId, stage: r.stage, sweep: r.sweep ?? '', status: r.status.toLowerCase(),
        outcome: r.outcome && r.outcome !== 'running' ? r.outcome : '', failed: r.failedPoints ?? '', started: r.start.replace('T', ' ').slice(0, 19), took: duration(r),
      }))));
    });
}
