// The JSON result lines of build-ucx.sh and build-nixl.sh, and what pdflow concludes from them:
// the scripts report raw tool output (ucx_info, ldd) and facts; the judging happens here.
import { z } from 'zod';
import { ParseError } from './errors.js';
import { devicesWithTransport, parseUcxInfoDevices, parseUcxInfoVersion, transportsByDevice } from './ucx-info.js';

const buildStatus = z.enum(['built', 'unchanged']);

export const ucxBuildJsonSchema = z.object({
  script: z.literal('build-ucx'),
  status: buildStatus,
  version: z.string().nullable(),
  ref: z.string().nullable(),
  commit: z.string().nullable(),
  prefix: z.string(),
  flags: z.array(z.string()),
  withEfa: z.boolean(),
  ldLibraryPath: z.string(),
  marker: z.string(),
  /** `ucx_info -v`, as printed. */
  ucxInfoVersion: z.string(),
  /** The Memory domain / Component / Transport / Device / Type lines of `ucx_info -d`, as printed. */
  ucxInfoDevices: z.string(),
});
export type UcxBuildJson = z.output<typeof ucxBuildJsonSchema>;

/** What build-nixl.sh's python probe saw of the `nixl` the venv imports. */
export const nixlPythonProbeSchema = z.object({
  imported: z.boolean(),
  error: z.string().optional(),
  /** The package folder, e.g. <venv>/lib/python3.11/site-packages/nixl. */
  module: z.string().optional(),
  version: z.string().nullable().optional(),
  /** pip's direct_url.json: file://<source> for `pip install .`, absent for a wheel from an index. */
  directUrl: z.string().nullable().optional(),
  /** Files in site-packages/nixl.libs: the libraries the PyPI wheel bundles (its own UCX). */
  bundledLibs: z.array(z.string()).optional(),
  pluginDir: z.string().nullable().optional(),
  pluginFiles: z.array(z.string()).optional(),
  /** `ldd` of <pluginDir>/libplugin_UCX.so, as printed. */
  ucxPluginLdd: z.string().nullable().optional(),
});
export type NixlPythonProbe = z.output<typeof nixlPythonProbeSchema>;

export const nixlBuildJsonSchema = z.object({
  script: z.literal('build-nixl'),
  status: buildStatus,
  version: z.string().nullable(),
  ref: z.string().nullable(),
  commit: z.string().nullable(),
  prefix: z.string(),
  ucxPrefix: z.string(),
  ucxInfoVersion: z.string(),
  flags: z.array(z.string()),
  /** The libfabric NIXL was built against (-Dlibfabric_path), null when none was found. */
  libfabricPath: z.string().nullable(),
  /** Plugins the build installed in <prefix>/lib/x86_64-linux-gnu/plugins, e.g. ["LIBFABRIC", "POSIX", "UCX", "UCX_MO"]. */
  plugins: z.array(z.string()),
  venv: z.string(),
  python: nixlPythonProbeSchema,
  /** The venv imported the PyPI wheel before this run, and the run replaced it. */
  repairedPypiWheel: z.boolean(),
  ldLibraryPath: z.array(z.string()),
  marker: z.string(),
});
export type NixlBuildJson = z.output<typeof nixlBuildJsonSchema>;

/** Validates a script's JSON line; a mismatch names the field and the value it had. */
export function parseBuildJson<S extends z.ZodType>(schema: S, value: unknown, script: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ParseError(script, `the JSON result line does not have the expected shape: ${issues}`, { line: JSON.stringify(value).slice(0, 300) });
}

export interface UcxBuildFacts {
  version: string;
  /** --with-efa among the configure flags ucx_info -v prints; undefined when it prints none. */
  configuredWithEfa?: boolean;
  transports: Record<string, string[]>;
  /** Devices that offer transport srd (one per EFA device on a good build). */
  srdDevices: number;
}

/** Version, transports and srd devices from build-ucx.sh's raw ucx_info output. */
export function ucxBuildFacts(json: Pick<UcxBuildJson, 'ucxInfoVersion' | 'ucxInfoDevices'>): UcxBuildFacts {
  const v = parseUcxInfoVersion(json.ucxInfoVersion);
  const d = parseUcxInfoDevices(json.ucxInfoDevices);
  return {
    version: v.version,
    ...(v.withEfa !== undefined ? { configuredWithEfa: v.withEfa } : {}),
    transports: transportsByDevice(d),
    srdDevices: devicesWithTransport(d, 'srd').length,
  };
}

/** Where `ldd` resolves a library ("libucp.so.0 => /x/libucp.so.0 (0x...)"): a path, "not found", or undefined when not listed. */
export function lddResolution(ldd: string, libPrefix: string): string | undefined {
  for (const line of ldd.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(.*?)\s*(?:\(0x[0-9a-f]+\))?\s*$/i.exec(line);
    if (m && m[1]!.startsWith(libPrefix)) return m[2] === '' ? 'not found' : m[2]!;
  }
  return undefined;
}

export type NixlSource = 'this-build' | 'pypi-wheel' | 'other' | 'not-importable';

export interface NixlInstallVerdict {
  source: NixlSource;
  /** The libucp the imported NIXL's UCX plugin loads. */
  ucxLibrary?: string;
  /** Why the venv is not running the NIXL built against our UCX; undefined when it is. */
  problem?: string;
}

/** Is the `nixl` the venv imports the one built against the UCX at `ucxPrefix` (not PyPI's with its bundled UCX 1.19)? */
export function judgeNixlInstall(probe: NixlPythonProbe, ucxPrefix: string): NixlInstallVerdict {
  const fix = 'run the build stage again (build-nixl.sh replaces it with the source build)';
  if (!probe.imported) return { source: 'not-importable', problem: `import nixl fails in the venv (${probe.error ?? 'no error text'}); ${fix}` };
  const where = probe.module ?? 'an unknown folder';
  const bundledUcx = (probe.bundledLibs ?? []).filter((f) => /^libuc[pst]/.test(f));
  if ((probe.bundledLibs ?? []).length > 0) {
    return {
      source: 'pypi-wheel',
      problem: `the venv imports the PyPI nixl wheel (${where}) with its own UCX in nixl.libs/ (${bundledUcx.join(', ') || probe.bundledLibs!.join(', ')}), built without EFA, instead of NIXL built against the UCX at ${ucxPrefix}; ray[llm] pulls that wheel: ${fix}`,
    };
  }
  if (!probe.ucxPluginLdd) {
    return { source: 'other', problem: `the nixl the venv imports (${where}) has no UCX plugin (${probe.pluginDir ?? 'no .nixl.mesonpy.libs/plugins folder'}: ${(probe.pluginFiles ?? []).join(', ') || 'empty'}); ${fix}` };
  }
  const ucp = lddResolution(probe.ucxPluginLdd, 'libucp');
  const ours = `${ucxPrefix.replace(/\/+$/, '')}/lib/`;
  if (ucp === undefined || ucp === 'not found' || !ucp.startsWith(ours)) {
    return {
      source: 'other',
      ...(ucp && ucp !== 'not found' ? { ucxLibrary: ucp } : {}),
      problem: `the UCX plugin of the nixl the venv imports (${where}) loads ${ucp === undefined ? 'no libucp' : ucp === 'not found' ? 'a libucp that is not found' : ucp}, not the UCX at ${ucxPrefix}; ${fix}`,
    };
  }
  return { source: 'this-build', ucxLibrary: ucp };
}
