// A stage's live progress, answered by the `progress` query: which nodes are done, what runs now.
import { setHandler, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { progressQuery, type RunProgress } from './messages.js';
import { clockTime } from '../common/clock-time.js';

export class StageTracker {
  private readonly startedMs = Date.now();
  private done = 0;
  private failed = 0;
  private activity = '';
  private lastError?: string;
  private stepStartedMs = Date.now();
  readonly nodes: Record<string, string> = {};

  constructor(private readonly cluster: string, private readonly stage: string, private readonly total: number) {
    setHandler(progressQuery, () => this.progress());
  }

  /** Something started: shows in the progress query and in the UI's current details. */
  step(what: string): void {
    this.activity = what;
    this.stepStartedMs = Date.now();
    setCurrentDetails(`**${this.stage}** on ${this.cluster}: ${what}\n\nstage started ${clockTime(new Date(this.startedMs).toISOString())}; this step started ${clockTime(new Date(this.stepStartedMs).toISOString())}`);
  }

  nodeDone(node: string, summary: string): void {
    this.nodes[node] = summary;
    this.done++;
    this.step(`${node}: ${summary}`);
  }

  nodeFailed(node: string, error: string): void {
    this.nodes[node] = `FAILED: ${error}`;
    this.failed++;
    this.lastError = `${node}: ${error}`;
  }

  progress(): RunProgress {
    const elapsedSec = (Date.now() - this.startedMs) / 1000;
    return {
      kind: 'stage',
      cluster: this.cluster,
      state: 'running',
      activity: this.activity,
      current: { stage: this.stage },
      done: this.done,
      failed: this.failed,
      total: this.total,
      remaining: Math.max(0, this.total - this.done - this.failed),
      startedAt: new Date(this.startedMs).toISOString(),
      stepStartedAt: new Date(this.stepStartedMs).toISOString(),
      asOf: new Date().toISOString(),
      elapsedSec,
      lastError: this.lastError,
    };
  }

  get seconds(): number {
    return (Date.now() - this.startedMs) / 1000;
  }

  get workflowId(): string {
    return workflowInfo().workflowId;
  }
}
