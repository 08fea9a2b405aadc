// Fake UCX and NIXL source trees as real local git repositories (tags like upstream's), so the
// real build scripts clone, configure, make / meson, ninja and pip-install them unchanged. The
// NIXL tree is built by the real meson, ninja, pybind11 and meson-python from the wheelhouse. Sim
// nodes reach them through git's url.<base>.insteadOf (GIT_CONFIG_* env): the GitHub URLs of the
// cluster file resolve to these repos, and nothing goes to the network.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FAULT_SH, GPU_PY_DIR, PYPKGS_DIR, TREES_DIR } from './paths.js';

const execFileP = promisify(execFile);

export const UCX_GIT_URL = 'https://github.com/openucx/ucx.git';
export const NIXL_GIT_URL = 'https://github.com/ai-dynamo/nixl.git';

/** Releases in each fake repo: tag -> version; the last entry is the branch head (untagged). */
const UCX_RELEASES: Array<[string | null, string]> = [['v1.19.0', '1.19.0'], ['v1.20.0', '1.20.0'], [null, '1.21.0']];
const NIXL_RELEASES: Array<[string | null, string]> = [['0.6.0', '0.6.0'], ['0.6.1', '0.6.1'], [null, '0.7.0']];

const UCX_MODULES: Record<string, string[]> = {
  'src/ucs': ['async', 'callbackq', 'class', 'config_global', 'debug', 'log', 'memtrack', 'mpool', 'rcache', 'sys', 'time', 'topo', 'string', 'ptr_array'],
  'src/ucm': ['event', 'malloc_hook', 'mmap', 'reloc', 'ucm_sys'],
  'src/uct': ['uct_component', 'uct_iface', 'uct_md', 'uct_mem', 'uct_worker', 'tcp_ep', 'tcp_iface', 'tcp_md', 'mm_ep', 'mm_iface', 'posix', 'sysv', 'cma_ep', 'self'],
  'src/uct/ib': ['ib_device', 'ib_iface', 'ib_md', 'ib_log', 'ud_base', 'ud_ep', 'ud_iface', 'ud_verbs', 'rc_verbs_ep', 'rc_verbs_iface'],
  'src/uct/ib/efa': ['efa_md', 'efa_iface', 'srd_ep', 'srd_iface', 'srd_def'],
  'src/uct/cuda': ['cuda_copy_ep', 'cuda_copy_iface', 'cuda_copy_md', 'cuda_ipc_ep', 'cuda_ipc_iface', 'cuda_ipc_md', 'cuda_ipc_cache'],
  'src/ucp': ['ucp_context', 'ucp_ep', 'ucp_worker', 'ucp_mm', 'ucp_request', 'ucp_rkey', 'proto', 'proto_select', 'rndv', 'eager', 'put', 'get', 'amo', 'wireup'],
  'src/tools/info': ['ucx_info', 'build_info', 'proto_info', 'sys_info', 'tl_info', 'type_info', 'version_info'],
};

async function copyTemplate(src: string, dst: string, vars: Record<string, string>): Promise<void> {
  for (const entry of await readdir(src, { withFileTypes: true })) {
    if (entry.name === '__pycache__') continue;
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) {
      await mkdir(to, { recursive: true });
      await copyTemplate(from, to, vars);
      continue;
    }
    let text = await readFile(from, 'utf8');
    for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(v);
    await writeFile(to, text);
    await chmod(to, (await stat(from)).mode & 0o777);
  }
}

async function clearWorkTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) if (entry !== '.git') await rm(path.join(dir, entry), { recursive: true, force: true });
}

async function git(repo: string, args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'pdflow-sim', GIT_AUTHOR_EMAIL: 'sim@pdflow.invalid',
    GIT_COMMITTER_NAME: 'pdflow-sim', GIT_COMMITTER_EMAIL: 'sim@pdflow.invalid',
    GIT_AUTHOR_DATE: '2025-10-01T00:00:00Z', GIT_COMMITTER_DATE: '2025-10-01T00:00:00Z',
    GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
  };
  const { stdout } = await execFileP('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: repo, env });
  return stdout;
}

async function commitReleases(repo: string, releases: Array<[string | null, string]>, branch: string, write: (version: string) => Promise<void>): Promise<void> {
  await rm(repo, { recursive: true, force: true });
  await mkdir(repo, { recursive: true });
  await git(repo, ['init', '-q', '-b', branch]);
  for (const [tag, version] of releases) {
    await clearWorkTree(repo);
    await write(version);
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', tag ? `Release ${tag}` : `Development ${version}`]);
    if (tag) await git(repo, ['tag', '-a', tag, '-m', `${tag}`]);
  }
}

async function writeUcxTree(dir: string, version: string): Promise<void> {
  const [major = '1', minor = '0', patch = '0'] = version.split('.');
  await copyTemplate(path.join(TREES_DIR, 'ucx'), dir, {
    VERSION: version, MAJOR: major, MINOR: minor, PATCH: patch, FAULT_SH, SIM_PY_DIR: GPU_PY_DIR,
  });
  for (const [mod, files] of Object.entries(UCX_MODULES)) {
    await mkdir(path.join(dir, mod), { recursive: true });
    for (const f of files) await writeFile(path.join(dir, mod, `${f}.c`), `/* UCX ${version}: ${mod}/${f}.c (pdflow simulator stand-in) */\n`);
  }
}

/** The emulated `nixl` package's modules (src/sim/pypkgs/nixl/nixl), installed by this tree's meson. */
async function writeNixlPython(pyDir: string, version: string): Promise<string[]> {
  const source = path.join(PYPKGS_DIR, 'nixl', 'nixl');
  const spec = JSON.parse(await readFile(path.join(PYPKGS_DIR, 'nixl', 'pkg.json'), 'utf8')) as { requires?: string[] };
  // _bindings.py is the uncompiled wheel's stand-in: this build compiles the real pybind11 module.
  const modules = (await readdir(source)).filter((f) => f.endsWith('.py') && f !== '_bindings.py').sort();
  for (const m of modules) {
    let text = await readFile(path.join(source, m), 'utf8');
    // The built package finds its plugins next to itself and loads the compiled bindings: an
    // import fails when they were built for another Python, as the real `nixl._bindings` does.
    if (m === '__init__.py') text = NIXL_INIT_PREAMBLE + text;
    await writeFile(path.join(pyDir, m), text.split('@VERSION@').join(version));
  }
  const list = modules.map((m) => `'${m}'`).join(', ');
  await writeFile(path.join(pyDir, 'meson.build'), [
    '# Generated by pdflow\'s simulator (src/sim/gpu/sources.ts): the emulated package and what this build found.',
    "py = import('python').find_installation('python3', pure: false)",
    `py.install_sources(${list}, subdir: 'nixl')`,
    'sim_conf = configuration_data()',
    "sim_conf.set('NIXL_VERSION', meson.project_version())",
    "sim_conf.set('UCX_PATH', ucx_path != '' ? '\"' + ucx_path + '\"' : 'null')",
    "sim_conf.set('LIBFABRIC_PATH', libfabric_path != '' ? '\"' + libfabric_path + '\"' : 'null')",
    "sim_conf.set('PLUGINS', '\"' + '\", \"'.join(built_plugins) + '\"')",
    "sim_build = configure_file(input: '_sim_build.json.in', output: '_sim_build.json', configuration: sim_conf)",
    "py.install_sources(sim_build, subdir: 'nixl')",
    '',
  ].join('\n'));
  return ['torch', 'numpy', ...(spec.requires ?? [])];
}

const NIXL_INIT_PREAMBLE = `# NIXL python package (pdflow simulator tree, built by meson-python).
import os as _os

_plugins = _os.path.join(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))), ".nixl.mesonpy.libs", "plugins")
if "NIXL_PLUGIN_DIR" not in _os.environ and _os.path.isdir(_plugins):
    _os.environ["NIXL_PLUGIN_DIR"] = _plugins
from nixl import _bindings  # noqa: E402,F401  (compiled by this build)
`;

async function writeNixlTree(dir: string, version: string): Promise<void> {
  await copyTemplate(path.join(TREES_DIR, 'nixl'), dir, { VERSION: version });
  const deps = await writeNixlPython(path.join(dir, 'src', 'api', 'python'), version);
  const pyproject = path.join(dir, 'pyproject.toml');
  await writeFile(pyproject, (await readFile(pyproject, 'utf8')).replace('@DEPENDENCIES@', deps.map((d) => JSON.stringify(d)).join(', ')));
}

export interface FakeSources {
  ucxRepo: string;
  nixlRepo: string;
  /** GIT_CONFIG_* variables that send the upstream GitHub URLs to these repos. */
  gitEnv: Record<string, string>;
}

export function gitRedirectEnv(ucxRepo: string, nixlRepo: string): Record<string, string> {
  const pairs: Array<[string, string]> = [
    [`file://${ucxRepo}`, UCX_GIT_URL],
    [`file://${ucxRepo}`, UCX_GIT_URL.replace(/\.git$/, '')],
    [`file://${nixlRepo}`, NIXL_GIT_URL],
    [`file://${nixlRepo}`, NIXL_GIT_URL.replace(/\.git$/, '')],
  ];
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(pairs.length) };
  pairs.forEach(([base, url], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = `url.${base}.insteadOf`;
    env[`GIT_CONFIG_VALUE_${i}`] = url;
  });
  return env;
}

export const sourcesDir = (gpuDir: string) => path.join(gpuDir, 'git');

/** Writes <gpuDir>/git/{ucx,nixl}: git repos with upstream-like tags (UCX v1.19.0, v1.20.0; NIXL 0.6.0, 0.6.1). */
export async function generateSources(gpuDir: string): Promise<FakeSources> {
  const ucxRepo = path.join(sourcesDir(gpuDir), 'ucx');
  const nixlRepo = path.join(sourcesDir(gpuDir), 'nixl');
  await Promise.all([
    commitReleases(ucxRepo, UCX_RELEASES, 'master', (v) => writeUcxTree(ucxRepo, v)),
    commitReleases(nixlRepo, NIXL_RELEASES, 'main', (v) => writeNixlTree(nixlRepo, v)),
  ]);
  return { ucxRepo, nixlRepo, gitEnv: gitRedirectEnv(ucxRepo, nixlRepo) };
}
