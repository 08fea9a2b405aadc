// Queries and signals shared by pdflow's workflows, and the shape of their progress.
// Pure definitions: imported by workflows and by the CLI.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StageProgress {
  name: string;
  status: StepStatus;
  /** e.g. "worker-1: built, worker-2: unchanged" */
  summary?: string;
}

export interface RunProgress {
  kind: 'pipeline' | 'stage' | 'sweep';
  cluster: string;
  state: 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  /** What runs now, in words: "deploying pd-pack-1p-tp4-1d-tp4", "bench isl5000-osl250/c16". */
  activity?: string;
  stages?: StageProgress[];
  current?: { stage?: string; deployment?: string; point?: string };
  done: number;
  failed: number;
  total: number;
  remaining: number;
  startedAt: string;
  /** When the current step started (ISO). */
  stepStartedAt?: string;
  /**
   * The workflow's clock when it answered (ISO). A workflow's clock stands still between its
   * tasks (during a 30-minute build), so readers advance elapsed, ETA and GPU-hours from here on
   * their own clock (src/cli/live-progress.ts).
   */
  asOf?: string;
  elapsedSec: number;
  etaSec?: number;
  gpuHours?: number;
  /** GPUs a deployment holds right now (their hours grow while the reader waits). */
  heldGpus?: number;
  lastError?: string;
}

export const progressQuery = defineQuery<RunProgress>('progress');
/** Pause after the current point (sweeps). No payload. */
export const pauseSignal = defineSignal('pause');
/** Resume a paused sweep. No payload. */
export const resumeSignal = defineSignal('resume');
