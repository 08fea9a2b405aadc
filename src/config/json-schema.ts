// JSON Schema for editors, generated from the same zod definitions that validate the files.
import { z } from 'zod';
import { ClusterSchema } from './cluster.js';
import { SweepSchema } from './sweep.js';

function toJsonSchema(schema: z.ZodType, title: string): Record<string, unknown> {
  // io: 'input' describes what a person writes: fields with defaults are optional.
  return { title, ...z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) };
}

export function clusterJsonSchema(): Record<string, unknown> {
  return toJsonSchema(ClusterSchema, 'pdflow cluster file');
}

export function sweepJsonSchema(): Record<string, unknown> {
  return toJsonSchema(SweepSchema, 'pdflow sweep file');
}
