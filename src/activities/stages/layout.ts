// Where pdflow keeps things on a node, under its workdir. One place, so every stage agrees.
export interface NodeLayout {
  workdir: string;
  venv: string;
  python: string;
  ucxPrefix: string;
  nixlPrefix: string;
  buildRoot: string;
  hfHome: string;
  results: string;
}

export function nodeLayout(workdir: string): NodeLayout {
  const w = workdir.replace(/\/+$/, '');
  return {
    workdir: w,
    venv: `${w}/venv`,
    python: `${w}/venv/bin/python`,
    ucxPrefix: `${w}/ucx`,
    nixlPrefix: `${w}/nixl`,
    buildRoot: `${w}/build`,
    hfHome: `${w}/hf`,
    results: `${w}/results`,
  };
}

/** Environment for anything that loads UCX/NIXL (Ray, the transfer test, Serve). */
export function runtimeEnv(l: NodeLayout): Record<string, string> {
  return {
    LD_LIBRARY_PATH: `${l.ucxPrefix}/lib:${l.nixlPrefix}/lib:${l.nixlPrefix}/lib/x86_64-linux-gnu`,
    NIXL_PLUGIN_DIR: `${l.nixlPrefix}/lib/x86_64-linux-gnu/plugins`,
    HF_HOME: l.hfHome,
  };
}
