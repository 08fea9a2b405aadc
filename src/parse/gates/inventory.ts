// The provision gate: what each node reports against what the cluster file declares.

export interface ExpectedInventory {
  node: string;
  /** GPUs the cluster file declares for the node (0 or undefined for a CPU head: not checked). */
  gpus?: number;
  /** e.g. "H100" or "NVIDIA H100 80GB HBM3": matched case-insensitively as a substring. */
  gpuModel?: string;
  /** EFA devices the cluster file declares (32 on p5.48xlarge); undefined: not checked. */
  efaDevices?: number;
}

export interface NodeInventory {
  node: string;
  gpus: Array<{ index: number; name: string }>;
  efaDevices: number;
  /** Why EFA is 0, if the tool said (fi_info's note). */
  efaNote?: string;
}

/**
 * Every mismatch between the declared and the reported inventory, one message each, naming the
 * node, both values and what to fix. [] when everything matches.
 */
export function checkInventory(expected: ExpectedInventory[], actual: NodeInventory[]): string[] {
  const byNode = new Map(actual.map((a) => [a.node, a]));
  const problems: string[] = [];
  for (const exp of expected) {
    const got = byNode.get(exp.node);
    if (!got) {
      problems.push(`node ${exp.node}: no inventory reported (the inventory step did not run or its output was lost)`);
      continue;
    }
    if (exp.gpus !== undefined && exp.gpus > 0 && got.gpus.length !== exp.gpus) {
      const seen = got.gpus.length === 0 ? 'nvidia-smi lists none' : `nvidia-smi lists ${describeIndices(got.gpus.map((g) => g.index))}`;
      problems.push(`node ${exp.node}: ${got.gpus.length} GPUs, the cluster file says ${exp.gpus} (${seen}); fix the node or the cluster file's gpus`);
    }
    if (exp.gpuModel && got.gpus.length > 0) {
      const want = normaliseModel(exp.gpuModel);
      const wrong = got.gpus.filter((g) => !normaliseModel(g.name).includes(want));
      if (wrong.length > 0) {
        const names = [...new Set(wrong.map((g) => g.name))].map((n) => `"${n}"`).join(', ');
        problems.push(`node ${exp.node}: GPU model ${names} on GPU ${describeIndices(wrong.map((g) => g.index))}, the cluster file says "${exp.gpuModel}"`);
      }
    }
    if (exp.efaDevices !== undefined && got.efaDevices !== exp.efaDevices) {
      const why = got.efaNote ? ` (${got.efaNote})` : '';
      problems.push(`node ${exp.node}: ${got.efaDevices} EFA devices, the cluster file says ${exp.efaDevices}${why}; check the instance type and the EFA installer, or set efaDevices in the cluster file`);
    }
  }
  for (const a of actual) {
    if (!expected.some((e) => e.node === a.node)) problems.push(`node ${a.node}: reported an inventory but is not in the cluster file`);
  }
  return problems;
}

function normaliseModel(s: string): string {
  return s.toLowerCase().replace(/^nvidia\s+/, '').replace(/\s+/g, ' ').trim();
}

/** [0,1,2,3,4,5,6] → "0-6"; [0,2,3] → "0, 2-3" */
function describeIndices(indices: number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return parts.join(', ');
}
