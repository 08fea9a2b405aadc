// What provision puts on each node: the pinned packages, installed under the constraints file
// kept in scripts/remote/constraints (uploaded with the scripts), and which model files.
import type { ClusterConfig, ClusterNode } from '../config/index.js';

/** The constraints file, relative to the scripts folder (here and on the nodes). */
export const NODE_CONSTRAINTS_FILE = 'constraints/node-stack.txt';

/** The versions the plan names: the ones issue "unconstrained resolution" is about. */
const SHOWN = ['transformers', 'tokenizers', 'huggingface-hub', 'openai', 'torch', 'nixl'];

/** A GPU node gets the weights vLLM loads; a CPU head only the tokenizer and config (vllm bench). */
export function weightsFor(node: Pick<ClusterNode, 'gpus'>): 'full' | 'tokenizer' {
  return node.gpus.count > 0 ? 'full' : 'tokenizer';
}

/** The pip pins provision passes for the cluster's software. */
export function nodePins(s: ClusterConfig['software']): string[] {
  // Ray with the extras Serve LLM needs: plain `ray` has no Serve and no dashboard (issue 9 item 1).
  return [`vllm==${s.vllm.version}`, `flashinfer-python==${s.flashinfer.version}`, `ray[serve,llm]==${s.ray.version}`];
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** `name==version` lines of a constraints file, by normalized name (comments and blanks skipped). */
export function parseConstraints(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)$/.exec(raw.replace(/#.*/, '').trim());
    if (m) pins.set(normalize(m[1]!), m[2]!);
  }
  return pins;
}

/** Lines for `pdflow plan`: the stack, the constraints and the model files per node kind; and
 * a warning for each cluster-file pin the constraints contradict (pip would refuse to resolve). */
export function nodeStackLines(cluster: ClusterConfig, constraintsText: string): { lines: string[]; warnings: string[] } {
  const pins = parseConstraints(constraintsText);
  const wanted = nodePins(cluster.software);
  const shown = SHOWN.filter((n) => pins.has(n)).map((n) => `${n}==${pins.get(n)}`);
  const lines = [
    `Node stack: ${wanted.join(' ')} in a Python ${cluster.software.python.version} venv`,
    `  constraints scripts/remote/${NODE_CONSTRAINTS_FILE} (${pins.size} pins${shown.length ? `: ${shown.join(', ')}` : ''})`,
  ];
  if (cluster.model.source === 'huggingface') {
    const kinds = [...new Set(cluster.nodes.map((n) => weightsFor(n)))];
    lines.push(`  model ${cluster.model.id}: ${kinds.map((k) => (k === 'full' ? 'GPU nodes get the root *.safetensors, *.json and tokenizer files' : 'the CPU head gets the tokenizer and config')).join('; ')} (never original/ or metal/)`);
  } else lines.push(`  model ${cluster.model.id} from ${cluster.model.source.path} on the nodes (no download)`);
  const warnings: string[] = [];
  for (const pin of wanted) {
    const [name, version] = pin.split('==') as [string, string];
    const c = pins.get(normalize(name.replace(/\[.*\]/, '')));
    if (c !== undefined && c !== version) {
      warnings.push(`software pins ${pin} but scripts/remote/${NODE_CONSTRAINTS_FILE} pins ${name}==${c}: pip cannot install both; use ${c} or regenerate the constraints (the command is in the file)`);
    }
  }
  return { lines, warnings };
}
