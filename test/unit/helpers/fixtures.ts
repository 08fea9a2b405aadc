// Where the real `vllm bench serve` fixtures live: PDFLOW_SHARED_FIXTURES when set, else
// test/fixtures/shared (kept in the repository, so a bare clone tests the same data).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function sharedFixturesDir(): string {
  const dir = process.env.PDFLOW_SHARED_FIXTURES ?? path.resolve(repoRoot, 'test/fixtures/shared');
  if (!existsSync(dir)) throw new Error(`shared fixtures not found at ${dir}: set PDFLOW_SHARED_FIXTURES to the folder holding vllm-bench-0.11/`);
  return dir;
}

export function sharedFixture(rel: string): string {
  return path.join(sharedFixturesDir(), rel);
}
