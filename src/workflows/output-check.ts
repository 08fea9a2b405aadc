// The output-correctness gate, workflow side (sweep and smoke stage): every deployment answers
// fixed prompts greedily right after it is healthy, and its answers are compared with those of a
// collocated deployment of the decode TP (no KV transfer). References live in the results store
// by content key, so a run reuses one made earlier with the same model and vLLM; a missing one is
// made by a small collocated deployment before the first deployment that needs it.
import { isCancellation, log } from '@temporalio/workflow';
import type { ClusterConfig, OutputCheckConfig } from '../config/index.js';
import type { PlannedDeployment } from '../plan/types.js';
import type { RecordFlag } from '../analysis/records.js';
import {
  compareAnswers, outputMismatchFlag, referenceKey, referenceTp, describeOutputCheck,
  type AnswerSet, type OutputCheckResult,
} from '../analysis/output-check.js';
import type { stepActivities } from './activity-options.js';

/** What the check found for one deployment (kept across continue-as-new). */
export interface OutputCheckOutcome {
  /** The reference it was compared with, e.g. "the collocated TP2 reference". */
  reference: string;
  result?: OutputCheckResult;
  /** Set when the deployment could not be checked (no reference): its points are flagged suspect. */
  skipped?: string;
  /** This deployment's answers became the reference (first collocated deployment of its TP). */
  madeReference?: boolean;
}

export interface OutputCheckState {
  /** References by content key (the store keeps them too). */
  references?: Record<string, AnswerSet>;
  /** By deployment id. */
  outputChecks?: Record<string, OutputCheckOutcome>;
}

type Acts = ReturnType<typeof stepActivities>;

export interface OutputCheckDeps {
  cluster: ClusterConfig;
  settings: OutputCheckConfig;
  maxModelLen: number;
  state: OutputCheckState;
  /** answerPrompts (a remote job) */
  acts: Acts;
  /** the store's activities (short) */
  store: Acts;
  /** Deploys `dep`, runs `use`, tears it down (always): the sweep's own bookkeeping of held GPUs. */
  withDeployment: (dep: PlannedDeployment, use: () => Promise<void>) => Promise<void>;
  /** A collocated one-replica deployment of TP `tp` on `node` (the reference). */
  referenceDeployment: (tp: number, node: string) => Promise<PlannedDeployment>;
  say: (what: string) => void;
}

const referenceLabel = (tp: number) => `the collocated TP${tp} reference`;

function nodeOf(dep: PlannedDeployment): string {
  const group = dep.mode === 'collocated' ? dep.replicas : dep.decode;
  return group.instances[0]!.node;
}

export function outputChecker(d: OutputCheckDeps) {
  const keyOf = (tp: number) => referenceKey({
    modelId: d.cluster.model.id,
    modelSource: d.cluster.model.source === 'huggingface' ? 'huggingface' : d.cluster.model.source.path,
    vllmVersion: d.cluster.software.vllm.version, tp, maxModelLen: d.maxModelLen, prompts: d.settings.prompts, tokens: d.settings.tokens,
  });
  const checks = () => (d.state.outputChecks ??= {});
  const answer = (step: string, what: string) =>
    d.acts.answerPrompts.executeWithOptions({ summary: `answer ${d.settings.prompts} check prompts (${what})` }, [{ cluster: d.cluster, step, prompts: d.settings.prompts, tokens: d.settings.tokens }]);

  async function referenceFor(tp: number): Promise<AnswerSet | undefined> {
    const key = keyOf(tp);
    const known = d.state.references?.[key];
    if (known) return known;
    const stored = await d.store.loadAnswerReference.executeWithOptions({ summary: `find the TP${tp} output reference` }, [{ key }]);
    if (stored) (d.state.references ??= {})[key] = stored.answers;
    return stored?.answers;
  }

  async function keepReference(tp: number, answers: AnswerSet): Promise<void> {
    const key = keyOf(tp);
    (d.state.references ??= {})[key] = answers;
    await d.store.saveAnswerReference.executeWithOptions({ summary: `keep the TP${tp} output reference` }, [{ key, answers }])
      .catch((err: unknown) => log.warn('output reference not stored (this run keeps it)', { tp, error: (err as Error)?.message }));
  }

  return {
    /**
     * Before a PD deployment: its reference exists afterwards, or the deployment is marked as not
     * checkable (its points flagged suspect). Never throws for a reference that will not come up.
     */
    async ensureReference(dep: PlannedDeployment): Promise<void> {
      if (dep.mode === 'collocated') return;
      const tp = referenceTp(dep);
      try {
        if (await referenceFor(tp)) return;
        const ref = await d.referenceDeployment(tp, nodeOf(dep));
        await d.withDeployment(ref, async () => {
          d.say(`${ref.label}: answering the check prompts`);
          const answers = await answer(`answers-${ref.id}-${dep.id}`, ref.label);
          await keepReference(tp, answers);
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        const why = (err as Error)?.message ?? String(err);
        log.warn('output reference could not be made; the deployment is not checked', { deployment: dep.label, error: why });
        checks()[dep.id] = { reference: referenceLabel(tp), skipped: `the collocated TP${tp} reference could not be made: ${why}` };
      }
    },

    /** After `dep` is healthy: its answers against the reference; the flags its records get. */
    async check(dep: PlannedDeployment, generation: number): Promise<RecordFlag[]> {
      const tp = referenceTp(dep);
      const prior = checks()[dep.id];
      if (prior?.skipped) return this.flagsOf(dep.id);
      d.say(`${dep.label}: checking its answers`);
      const answers = await answer(`answers-${dep.id}-g${generation}`, dep.label);
      const ref = await referenceFor(tp);
      if (!ref) {
        // Only a collocated deployment gets here without one (PD ones made theirs first): it is the reference.
        await keepReference(tp, answers);
        checks()[dep.id] = { reference: referenceLabel(tp), madeReference: true };
        return [];
      }
      const result = compareAnswers(ref, answers, d.settings);
      checks()[dep.id] = { reference: referenceLabel(tp), result };
      d.say(`${dep.label}: ${describeOutputCheck(result, referenceLabel(tp))}`);
      if (!result.ok) log.warn('output check failed: the points are measured but flagged', { deployment: dep.label, check: describeOutputCheck(result, referenceLabel(tp)) });
      return this.flagsOf(dep.id);
    },

    /** The flags of `depId`'s records: output-mismatch when its answers differ, suspect when it could not be checked. */
    flagsOf(depId: string): RecordFlag[] {
      const c = checks()[depId];
      if (!c) return [];
      if (c.skipped) return [{ kind: 'suspect', reason: `output not checked: ${c.skipped}` }];
      if (c.result && !c.result.ok) return [outputMismatchFlag(c.result, c.reference)];
      return [];
    },
  };
}

export type OutputChecker = ReturnType<typeof outputChecker>;
