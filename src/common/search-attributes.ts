// The search attributes every pdflow run carries (README "In the Web UI"). Workflows set
// them themselves at start, so runs started from the Web UI, the Temporal CLI or a schedule are
// listed and filterable like `pdflow run`'s.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PdflowCluster = defineSearchAttributeKey('PdflowCluster', SearchAttributeType.KEYWORD);
export const PdflowStage = defineSearchAttributeKey('PdflowStage', SearchAttributeType.KEYWORD);
export const PdflowSweep = defineSearchAttributeKey('PdflowSweep', SearchAttributeType.KEYWORD);
/** running | ok | partial (some points failed) | failed (no ok point, or the run failed) | cancelled. */
export const PdflowOutcome = defineSearchAttributeKey('PdflowOutcome', SearchAttributeType.KEYWORD);
/** Benchmark points recorded as failed so far. */
export const PdflowFailedPoints = defineSearchAttributeKey('PdflowFailedPoints', SearchAttributeType.INT);
/** none | regressed | improved (a scheduled sweep against its last good run). */
export const PdflowRegression = defineSearchAttributeKey('PdflowRegression', SearchAttributeType.KEYWORD);

export const PDFLOW_SEARCH_ATTRIBUTES = [PdflowCluster, PdflowStage, PdflowSweep, PdflowOutcome, PdflowFailedPoints, PdflowRegression];
const CLI_TYPE: Record<string, string> = { [SearchAttributeType.KEYWORD]: 'Keyword', [SearchAttributeType.INT]: 'Int' };
/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_FLAGS = PDFLOW_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
