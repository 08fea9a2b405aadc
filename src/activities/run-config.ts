// Reads and checks a run's cluster and sweep on the worker's machine (the workflow's input may
// name YAML files there). Invalid configuration fails at once, never retried.
import { ApplicationFailure } from '@temporalio/common';
import { describeIssues, loadRunConfig, type RunConfig, type RunConfigRequest } from '../config-io/run-config.js';

export function createRunConfigActivities() {
  return {
    async loadRunConfig(req: RunConfigRequest): Promise<RunConfig> {
      const r = await loadRunConfig(req);
      if (!r.ok) throw ApplicationFailure.nonRetryable(describeIssues(r.issues), 'ConfigError');
      return r.value;
    },
  };
}
