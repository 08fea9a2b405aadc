// Field types shared by the cluster and sweep schemas. Every string that could end up in a remote
// command (hosts, users, names, paths, env keys, versions) is limited to characters a shell reads
// literally, so nothing in a config file can be taken as shell syntax even before quoting.
import { z } from 'zod';

const SHELL_SPECIAL = new Set([...';&|$`\'"\\<>(){}[]*?!#~= \t\n\r']);

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (c === '\n' || c === '\r') return 'a line break';
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0')})`;
  return JSON.stringify(c);
}

interface TextRule {
  /** What the field is, for messages: "host", "user name". */
  what: string;
  /** One allowed character. */
  char: RegExp;
  /** Extra checks on the whole value; returns a problem or undefined. */
  whole?: (s: string) => string | undefined;
  maxLength?: number;
  hint: string;
}

/** The first problem with `s` under `rule`, or undefined. */
export function textProblem(s: string, rule: TextRule): string | undefined {
  if (s.length === 0) return `${rule.what} is empty`;
  if (rule.maxLength !== undefined && s.length > rule.maxLength) return `${rule.what} is longer than ${rule.maxLength} characters`;
  for (const c of s) {
    if (!rule.char.test(c)) {
      if (c !== c.toLowerCase() && rule.char.test(c.toLowerCase())) return `${rule.what} contains upper-case "${c}"`;
      const why = SHELL_SPECIAL.has(c) || c.charCodeAt(0) < 0x20 ? ', which a shell could read as syntax' : '';
      return `${rule.what} contains ${describeChar(c)}${why}`;
    }
  }
  if (s.startsWith('-')) return `${rule.what} starts with "-", which a command would read as an option`;
  return rule.whole?.(s);
}

function text(rule: TextRule) {
  return z.string().superRefine((s, ctx) => {
    const problem = textProblem(s, rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s, params: { hint: rule.hint } });
  }).meta({ pattern: `^(?!-)${rule.char.source}+$` }); // the character rule, for editors' JSON Schema
}

function ipv4Problem(s: string): string | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => p === '' || p.length > 3 || Number(p) > 255)) return `"${s}" is not an IPv4 address`;
  return undefined;
}

function hostProblem(s: string): string | undefined {
  if (s.includes(':')) {
    // IPv6: hex groups, at most one "::", optionally an IPv4 tail.
    const tail = s.slice(s.lastIndexOf(':') + 1);
    const head = tail.includes('.') ? s.slice(0, s.lastIndexOf(':') + 1) + '0:0' : s;
    if (tail.includes('.') && ipv4Problem(tail)) return `"${s}" is not an IPv6 address`;
    const groups = head.split(':');
    const doubles = head.split('::').length - 1;
    const edgesOk = !head.includes(':::') && (!head.startsWith(':') || head.startsWith('::')) && (!head.endsWith(':') || head.endsWith('::'));
    const ok = edgesOk && /^[0-9a-fA-F:]+$/.test(head) && doubles <= 1 && groups.length <= 8 && groups.every((g) => g.length <= 4)
      && (doubles === 1 || groups.length === 8);
    return ok ? undefined : `"${s}" is not an IPv6 address`;
  }
  if (/^[0-9.]+$/.test(s)) return ipv4Problem(s);
  if (s.length > 253) return 'host name is longer than 253 characters';
  for (const label of s.split('.')) {
    if (label === '') return `host name "${s}" has an empty label (two dots, or a dot at an end)`;
    if (label.length > 63) return `host name label "${label}" is longer than 63 characters`;
    if (label.startsWith('-') || label.endsWith('-')) return `host name label "${label}" starts or ends with "-"`;
  }
  return undefined;
}

export const HOST_RULE: TextRule = {
  what: 'host',
  char: /[A-Za-z0-9.:-]/,
  whole: hostProblem,
  hint: 'a host is a DNS name (letters, digits, ".", "-"), an IPv4 address (10.0.0.11) or an IPv6 address (fd00::11)',
};

export const hostField = () => text(HOST_RULE);

export const userField = () => text({
  what: 'user name',
  char: /[A-Za-z0-9_.-]/,
  maxLength: 32,
  whole: (s) => (/^[A-Za-z_]/.test(s) ? undefined : 'user name must start with a letter or "_"'),
  hint: 'a Unix user name: letters, digits, "_", ".", "-", starting with a letter (e.g. ubuntu)',
});

export const nodeNameField = () => text({
  what: 'node name',
  char: /[A-Za-z0-9_.-]/,
  maxLength: 63,
  whole: (s) => (/^[A-Za-z0-9]/.test(s) ? undefined : 'node name must start with a letter or digit'),
  hint: 'a node name: letters, digits, "_", ".", "-" (e.g. gpu-1)',
});

/** Names that end up in workflow ids, job ids and file names. */
export const idNameField = (what: string) => text({
  what,
  char: /[a-z0-9-]/,
  maxLength: 48,
  whole: (s) => (/^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$/.test(s) ? undefined : `${what} must start and end with a letter or digit`),
  hint: 'lower-case letters, digits and "-" (e.g. p5-pair)',
});

/** A file or directory path on a node or the worker; "~" only as the first character, meaning home. */
export const pathField = () => text({
  what: 'path',
  char: /[A-Za-z0-9._/@%+=:,~-]/,
  maxLength: 1024,
  whole: (s) => (s.indexOf('~') > 0 || (s.startsWith('~') && s.length > 1 && s[1] !== '/')
    ? '"~" may only start a path, as "~/..." (home directory)'
    : undefined),
  hint: 'a path of letters, digits and . _ / @ % + = : , - (spaces and quotes are not allowed); "~/" at the start means the home directory',
});

export const envKeyField = () => text({
  what: 'environment variable name',
  char: /[A-Za-z0-9_]/,
  maxLength: 128,
  whole: (s) => (/^[A-Za-z_]/.test(s) ? undefined : 'environment variable name must start with a letter or "_"'),
  hint: 'an environment variable name: letters, digits and "_", not starting with a digit (e.g. UCX_TLS)',
});

/** Environment values are always passed quoted; they only may not contain control characters. */
export const envValueText = () => z.string().superRefine((s, ctx) => {
  const bad = [...s].find((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `value contains ${describeChar(bad)}`, input: s, params: { hint: 'environment values are single-line text' } });
  }
});

export const versionField = () => text({
  what: 'version',
  char: /[A-Za-z0-9.+_-]/,
  maxLength: 64,
  hint: 'a version such as 0.11.0 or 0.2.14.post1; quote numbers that YAML would read as decimals ("3.10")',
});

export const gitUrlField = () => text({
  what: 'git URL',
  char: /[A-Za-z0-9._~:/@%+=,-]/,
  maxLength: 512,
  hint: 'a git URL such as https://github.com/openucx/ucx.git or an absolute path to a repository',
});

export const gitRefField = () => text({
  what: 'git ref',
  char: /[A-Za-z0-9._/+-]/,
  maxLength: 128,
  whole: (s) => (s.includes('..') ? 'git ref contains ".."' : undefined),
  hint: 'a tag, branch or commit such as v1.20.0',
});

export const modelIdField = () => text({
  what: 'model id',
  char: /[A-Za-z0-9._/-]/,
  maxLength: 256,
  hint: 'a Hugging Face model id such as openai/gpt-oss-120b',
});

export const servedNameField = () => text({
  what: 'served model name',
  char: /[A-Za-z0-9._-]/,
  maxLength: 128,
  hint: 'the name clients use for the model: letters, digits, ".", "_", "-" (e.g. gptoss)',
});

/** Labels that are compared, never run (e.g. a GPU model name); still no shell characters. */
export const labelField = (what: string, example: string) => text({
  what,
  char: /[A-Za-z0-9 ._()/+-]/,
  maxLength: 128,
  hint: `letters, digits, spaces and . _ ( ) / + - (e.g. ${example})`,
});

/** Free text that is only ever shown (descriptions). */
export const noteField = () => z.string().max(2000);

export const portField = () => z.number().int().min(1).max(65535);
export const countField = () => z.number().int().min(0);
export const positiveInt = () => z.number().int().min(1);
export const positiveNumber = () => z.number().positive();

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** A tensor-parallel size: a power of two (vLLM shards attention heads evenly). */
export const tpField = () => z.number().int().min(1).superRefine((n, ctx) => {
  if (!isPowerOfTwo(n)) {
    ctx.addIssue({ code: 'custom', message: `TP ${n} is not a power of two`, input: n, params: { hint: 'use 1, 2, 4 or 8 (up to the GPUs of one node)' } });
  }
});
