// Files of one report folder, written by path relative to it; the list says what was written.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export function outputFiles(dir: string) {
  const files: string[] = [];
  return {
    files,
    /** Writes `text` to `rel` under the folder (making its folders) and lists it. */
    async put(rel: string, text: string): Promise<void> {
      const file = path.join(dir, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      files.push(rel);
    },
  };
}
