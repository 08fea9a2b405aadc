// answer_check.py's JSON line: the deployment's greedy answers to the check's prompts.
import { z } from 'zod';
import type { AnswerSet } from '../analysis/output-check.js';
import { parseJsonWith } from './json-line.js';

const AnswerSchema = z.object({
  tokens: z.array(z.string()).nullable(),
  text: z.string(),
  error: z.string().nullable(),
});

export const AnswerCheckJsonSchema = z.object({
  ok: z.boolean(),
  maxTokens: z.number().int().positive(),
  answers: z.array(AnswerSchema),
  versions: z.record(z.string(), z.string()),
  seconds: z.number(),
  error: z.string().nullable(),
});
export type AnswerCheckJson = z.output<typeof AnswerCheckJsonSchema>;

export function parseAnswerCheckJson(value: unknown): AnswerCheckJson {
  return parseJsonWith(value, 'answer_check.py', AnswerCheckJsonSchema);
}

export function answerSetOf(j: AnswerCheckJson): AnswerSet {
  return { maxTokens: j.maxTokens, answers: j.answers, versions: j.versions };
}
