// vLLM 0.11 + NIXL 0.6.1 with the LIBFABRIC backend corrupts or hangs KV transfers (vllm issue 27055).

/**
 * A warning when the LIBFABRIC backend is chosen with a vLLM known to mishandle it, else undefined.
 * `backends` defaults to ["LIBFABRIC"] (the caller asks because LIBFABRIC was chosen).
 */
export function libfabricWarning(vllmVersion: string, backends: string[] = ['LIBFABRIC']): string | undefined {
  if (!backends.some((b) => b.toUpperCase() === 'LIBFABRIC')) return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(vllmVersion.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 0 || minor > 11) return undefined;
  return `vLLM ${vllmVersion} with the NIXL LIBFABRIC backend is known to corrupt KV transfers over EFA (same-TP P/D: blocks arrive as zeros and the model answers gibberish; different TP: the transfer hangs or fails with "Remote key (RKEY) not registered"), see https://github.com/vllm-project/vllm/issues/27055. Use the UCX backend (UCX built with --with-efa, transport srd).`;
}
