// YAML text -> plain data, plus a way back from a data path to its line in the file.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue, PathSegment } from './issues.js';

export interface YamlSource {
  data: unknown;
  /** The 1-based line of the value at `path`, or of its nearest ancestor present in the file. */
  lineOf(path: readonly PathSegment[]): number | undefined;
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

export function readYaml(text: string, file: string): YamlResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Later syntax errors mostly cascade from the first; report that one, precisely.
    const first = doc.errors[0]!;
    const pos = lines.linePos(first.pos[0]);
    const more = doc.errors.length - 1;
    const fix = first.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : 'fix the YAML syntax (indent with spaces, close quotes and brackets)';
    return {
      ok: false,
      issues: [{
        file,
        path: '(yaml)',
        line: pos.line,
        message: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${first.message}`,
        hint: more > 0 ? `${fix}; the parser reported ${more} more error${more === 1 ? '' : 's'} after this one, often caused by it` : fix,
      }],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, issues: [{ file, path: '(yaml)', message: `YAML could not be read: ${(err as Error).message}` }] };
  }
  return { ok: true, source: { data, lineOf: (path) => lineOf(doc, lines, path) } };
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let line = startLine(node, lines);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      line = startLine(pair.key, lines) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      line = startLine(item, lines) ?? line;
      node = item;
    } else break;
  }
  return line;
}

function startLine(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}
