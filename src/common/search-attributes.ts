// The search attributes every pdflow run carries (DESIGN.md, Temporal conventions).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PdflowCluster = defineSearchAttributeKey('PdflowCluster', SearchAttributeType.KEYWORD);
export const PdflowStage = defineSearchAttributeKey('PdflowStage', SearchAttributeType.KEYWORD);
export const PdflowSweep = defineSearchAttributeKey('PdflowSweep', SearchAttributeType.KEYWORD);

export const PDFLOW_SEARCH_ATTRIBUTES = [PdflowCluster, PdflowStage, PdflowSweep];
/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_FLAGS = PDFLOW_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
