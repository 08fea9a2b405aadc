// What the node builds need (UCX from git: autotools; NIXL: a C/C++ toolchain, meson through
// pkg-config, the venv's Python headers; both: the rdma-core headers for EFA), judged from the
// facts inventory.sh reports, with the packages that provide each on the two DLAMI families.

export interface PrerequisiteFacts {
  os: { id: string; version: string };
  commands: Record<string, string | null>;
  headers: Record<string, string | null>;
}

export type PackageManager = 'apt-get' | 'dnf';

export interface MissingPrerequisite {
  /** What is missing, e.g. "autoconf" or "infiniband/efadv.h (rdma-core headers)". */
  what: string;
  /** The package that provides it with this node's package manager. */
  package: string;
}

interface Requirement {
  what: string;
  present: (f: PrerequisiteFacts) => boolean;
  apt: string;
  dnf: string;
}

const cmd = (name: string) => (f: PrerequisiteFacts) => Boolean(f.commands[name]);
const header = (name: string) => (f: PrerequisiteFacts) => Boolean(f.headers[name]);

function requirements(python: string): Requirement[] {
  return [
    { what: `python${python}`, present: cmd(`python${python}`), apt: `python${python}`, dnf: `python${python}` },
    { what: `Python.h of python${python} (NIXL's Python bindings)`, present: header('Python.h'), apt: `python${python}-dev`, dnf: `python${python}-devel` },
    { what: 'gcc', present: cmd('gcc'), apt: 'gcc', dnf: 'gcc' },
    { what: 'g++', present: cmd('g++'), apt: 'g++', dnf: 'gcc-c++' },
    { what: 'make', present: cmd('make'), apt: 'make', dnf: 'make' },
    { what: 'autoconf', present: cmd('autoconf'), apt: 'autoconf', dnf: 'autoconf' },
    { what: 'automake', present: cmd('automake'), apt: 'automake', dnf: 'automake' },
    { what: 'libtool', present: cmd('libtoolize'), apt: 'libtool', dnf: 'libtool' },
    { what: 'pkg-config', present: cmd('pkg-config'), apt: 'pkg-config', dnf: 'pkgconf-pkg-config' },
    { what: 'git', present: cmd('git'), apt: 'git', dnf: 'git' },
    { what: 'infiniband/verbs.h (rdma-core headers)', present: header('infiniband/verbs.h'), apt: 'libibverbs-dev', dnf: 'rdma-core-devel' },
    { what: 'infiniband/efadv.h (rdma-core headers for EFA)', present: header('infiniband/efadv.h'), apt: 'libibverbs-dev', dnf: 'rdma-core-devel' },
  ];
}

/** apt-get on Ubuntu/Debian, dnf on Amazon Linux 2023 / RHEL-likes; undefined when unknown. */
export function packageManagerOf(osId: string): PackageManager | undefined {
  if (/^(ubuntu|debian)$/.test(osId)) return 'apt-get';
  if (/^(amzn|rhel|centos|rocky|almalinux|fedora)$/.test(osId)) return 'dnf';
  return undefined;
}

/** Every missing prerequisite, with the package that provides it on this node's OS (apt names when unknown). */
export function missingPrerequisites(f: PrerequisiteFacts, python: string): MissingPrerequisite[] {
  const pm = packageManagerOf(f.os.id) ?? 'apt-get';
  return requirements(python).filter((r) => !r.present(f)).map((r) => ({ what: r.what, package: pm === 'dnf' ? r.dnf : r.apt }));
}

/** The one command that installs the packages, e.g. `sudo apt-get install -y autoconf libtool`. */
export function installCommand(osId: string, packages: string[]): string {
  const pm = packageManagerOf(osId);
  const unique = [...new Set(packages)];
  if (pm === 'dnf') return `sudo dnf install -y ${unique.join(' ')}`;
  return `sudo apt-get update && sudo apt-get install -y ${unique.join(' ')}`;
}

/** One message naming each missing prerequisite and the command; undefined when nothing is missing. */
export function prerequisitesMessage(node: string, f: PrerequisiteFacts, python: string): string | undefined {
  const missing = missingPrerequisites(f, python);
  if (missing.length === 0) return undefined;
  const os = `${f.os.id || 'unknown OS'}${f.os.version ? ` ${f.os.version}` : ''}`;
  const list = missing.map((m) => `${m.what} (package ${m.package})`).join(', ');
  const unknown = packageManagerOf(f.os.id) ? '' : ' (apt-get names; this OS is not one pdflow knows)';
  return `node ${node} (${os}) lacks what the builds need: ${list}; install them with: ${installCommand(f.os.id, missing.map((m) => m.package))}${unknown}` +
    ', or set provision.installPrerequisites: true in the cluster file to let provision run it';
}
