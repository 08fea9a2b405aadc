// python-env.sh's JSON line: what it installed, what it left alone, the constraints it used and
// the model files it fetched (hf_weights.py).
import { z } from 'zod';
import { parseJsonWith } from './json-line.js';

const ModelSchema = z.object({
  id: z.string(),
  kind: z.enum(['full', 'tokenizer']),
  path: z.string(),
  downloaded: z.boolean(),
  files: z.number().int().nullable(),
  bytes: z.number().nullable(),
  missingBytes: z.number(),
  freeBytes: z.number(),
  patterns: z.array(z.string()),
});

export const PythonEnvJsonSchema = z.object({
  script: z.literal('python-env'),
  venv: z.object({ path: z.string(), python: z.string(), created: z.boolean() }),
  installed: z.array(z.string()),
  unchanged: z.array(z.string()),
  replaced: z.array(z.string()),
  constraints: z.object({ file: z.string(), pins: z.number().int() }).nullable(),
  model: ModelSchema.nullable(),
});
export type PythonEnvJson = z.output<typeof PythonEnvJsonSchema>;

export function parsePythonEnvJson(value: unknown): PythonEnvJson {
  return parseJsonWith(value, 'python-env.sh', PythonEnvJsonSchema);
}

const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

/** e.g. "installed vllm==0.11.0; model downloaded (weights: 22 files, 65.3 GB; 250.0 GB free before); constraints node-stack.txt (182 pins)" */
export function describePythonEnv(j: PythonEnvJson): string {
  const parts = [j.installed.length ? `installed ${j.installed.join(', ')}` : 'packages unchanged'];
  if (!j.model) parts.push('no model download');
  else {
    const what = j.model.kind === 'tokenizer' ? 'tokenizer/config' : 'weights';
    const size = j.model.files === null || j.model.bytes === null ? '' : `: ${j.model.files} files, ${gb(j.model.bytes)}`;
    parts.push(`model ${j.model.downloaded ? 'downloaded' : 'cached'} (${what}${size}; ${gb(j.model.freeBytes)} free before)`);
  }
  if (j.constraints) parts.push(`constraints ${j.constraints.file.split('/').pop()} (${j.constraints.pins} pins)`);
  return parts.join('; ');
}
