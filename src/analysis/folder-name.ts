// The deployment and workload a folder of `vllm bench serve` JSON holds, from the seed's naming:
//   <served>_itl<ISL>_otl<OSL>_<mode>_<exp>   (run_bm.sh; mode is mixed, prefill-only or decode-only)
// where <exp> holds the shape:
//   1xtp4-1xtp4[-spread...]     1 prefill TP4 + 1 decode TP4 (pd-pack unless "spread" follows,
//                               or unless it needs more GPUs than one node has: then pd-spread)
//   p1xtp4-d1xtp4, 3ptp2-1dtp2  the same with P/D markers (pd_..., -packed-ucx)
//   4xtp2                       4 collocated replicas of TP2
// Whatever follows the shape ("-spread-ucx120", "-packed-ucx", "-spread-tcp") is kept as the variant.
import { DEFAULT_GPUS_PER_NODE } from './hardware.js';
import { shapeLabel } from './labels.js';
import type { BenchDeployment, DeploymentMode, EngineGroup } from './records.js';

export class FolderNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderNameError';
  }
}

export interface FolderDeployment {
  deployment: BenchDeployment;
  /** From itl<N> / otl<M>; absent when the name does not say (the import then reads the JSON). */
  isl?: number;
  osl?: number;
  /** run_bm.sh's mode; "mixed" when the name has none (its default). */
  workloadMode: string;
}

interface ShapeMatch {
  mode: DeploymentMode;
  prefill?: EngineGroup;
  decode?: EngineGroup;
  replicas?: EngineGroup;
  variant?: string;
  backend?: 'UCX' | 'LIBFABRIC';
}

const PD = /(?:^|[_-])p?(\d+)(?:x|p)(tp|tpep)(\d+)-d?(\d+)(?:x|d)(tp|tpep)(\d+)/i;
const COLLOCATED = /(?:^|[_-])(\d+)x(tp|tpep)(\d+)/i;
const WORKLOAD_MODE = /(?:^|_)(mixed|prefill[-_]only|decode[-_]only)(?=_|$)/i;
const EXAMPLES = '..._1xtp4-1xtp4[-spread-ucx120], ..._4xtp2, ..._3ptp2-1dtp2-packed-ucx';

/**
 * Reads a folder name (a path's last part is used). `override` uses the same grammar and wins for
 * whatever it names: `--deployment 1xtp4-1xtp4-spread` fixes the shape, `itl8000_otl1000` the lengths.
 */
export function deploymentFromFolderName(name: string, override?: string, opts: { gpusPerNode?: number } = {}): FolderDeployment {
  const base = name.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? name;
  const fromName = readShape(base);
  const fromOverride = override ? readShape(override) : undefined;
  if (override && !fromOverride && !/(itl|isl|otl|osl)\d+/i.test(override) && !WORKLOAD_MODE.test(override)) {
    throw new FolderNameError(`--deployment "${override}": names no shape and no lengths; use the folder grammar, e.g. 1xtp4-1xtp4-spread, 4xtp2 or itl5000_otl250_3ptp2-1dtp2`);
  }
  const shape = fromOverride ?? fromName;
  if (!shape) {
    throw new FolderNameError(`folder "${base}": cannot tell the deployment from its name; expected the seed's naming (${EXAMPLES}) or pass --deployment, e.g. --deployment 1xtp4-1xtp4-spread`);
  }
  const gpus = shape.mode === 'collocated'
    ? shape.replicas!.count * shape.replicas!.tp
    : shape.prefill!.count * shape.prefill!.tp + shape.decode!.count * shape.decode!.tp;
  if (shape.mode === 'pd-pack') shape.mode = packOrSpread(base, override, shape, gpus, opts.gpusPerNode ?? DEFAULT_GPUS_PER_NODE);
  const deployment: BenchDeployment = {
    id: base,
    name: deploymentName(shape),
    mode: shape.mode,
    gpus,
  };
  if (shape.prefill) deployment.prefill = shape.prefill;
  if (shape.decode) deployment.decode = shape.decode;
  if (shape.replicas) deployment.replicas = shape.replicas;
  if (shape.backend) deployment.backend = shape.backend;
  if (shape.variant) deployment.variant = shape.variant;

  const out: FolderDeployment = { deployment, workloadMode: 'mixed' };
  for (const src of [base, override ?? '']) {
    const isl = /(?:itl|isl)(\d+)/i.exec(src);
    const osl = /(?:otl|osl)(\d+)/i.exec(src);
    const mode = WORKLOAD_MODE.exec(src);
    if (isl) out.isl = Number(isl[1]);
    if (osl) out.osl = Number(osl[1]);
    if (mode) out.workloadMode = mode[1]!.toLowerCase().replace('_', '-');
  }
  return out;
}

function readShape(s: string): ShapeMatch | undefined {
  const pd = PD.exec(s);
  if (pd) {
    const prefill = group(pd[1]!, pd[3]!, s);
    const decode = group(pd[4]!, pd[6]!, s);
    const variant = variantOf(s.slice(pd.index + pd[0].length), pd[2]!.toLowerCase() === 'tpep' || pd[5]!.toLowerCase() === 'tpep');
    const shape: ShapeMatch = { mode: variant && /spread/i.test(variant) ? 'pd-spread' : 'pd-pack', prefill, decode, backend: variant && /libfabric|(^|-)lf(-|$)/i.test(variant) ? 'LIBFABRIC' : 'UCX' };
    if (variant) shape.variant = variant;
    return shape;
  }
  const co = COLLOCATED.exec(s);
  if (co) {
    const shape: ShapeMatch = { mode: 'collocated', replicas: group(co[1]!, co[3]!, s) };
    const variant = variantOf(s.slice(co.index + co[0].length), co[2]!.toLowerCase() === 'tpep');
    if (variant) shape.variant = variant;
    return shape;
  }
  return undefined;
}

/**
 * pd-pack puts prefill and decode on one node, so a PD deployment of more GPUs than a node has
 * is spread whatever its name leaves out; a name that says "pack" for one is a contradiction.
 */
function packOrSpread(base: string, override: string | undefined, shape: ShapeMatch, gpus: number, gpusPerNode: number): DeploymentMode {
  if (gpus <= gpusPerNode) return 'pd-pack';
  if (shape.variant && /(^|-)pack(ed)?(-|$)/i.test(shape.variant)) {
    throw new FolderNameError(`${override ? `--deployment "${override}"` : `folder "${base}"`}: says "pack" but its ${gpus} GPUs do not fit on one node of ${gpusPerNode}; pass --gpus-per-node N if the nodes were larger, or --deployment with "-spread"`);
  }
  return 'pd-spread';
}

function group(count: string, tp: string, s: string): EngineGroup {
  const g = { count: Number(count), tp: Number(tp) };
  if (g.count < 1 || g.tp < 1) throw new FolderNameError(`"${s}": engine counts and TP sizes must be at least 1, found ${count}x TP${tp}`);
  return g;
}

function variantOf(rest: string, tpep: boolean): string | undefined {
  const v = [tpep ? 'tpep' : '', rest.replace(/^[-_]+/, '')].filter(Boolean).join('-');
  return v === '' ? undefined : v;
}

function deploymentName(s: ShapeMatch): string {
  const plain = !s.variant || /^(spread|pack|packed)$/i.test(s.variant);
  return `${shapeLabel(s)} ${s.mode}${plain ? '' : ` [${s.variant}]`}`;
}
