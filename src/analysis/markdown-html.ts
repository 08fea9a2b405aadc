// report.md as HTML, for report.html: the Markdown the report renderer writes (headings, paragraphs,
// "- " lists, pipe tables, images on a line of their own) turned into escaped HTML, so both files
// show the same text and tables from one renderer. Not a general Markdown parser. Pure.

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escaped text with bare http(s) URLs as links (the flag reasons cite issues). */
export function inlineHtml(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"'()]+/g)) {
    out.push(escapeHtml(text.slice(last, m.index)), `<a href="${escapeHtml(m[0])}">${escapeHtml(m[0])}</a>`);
    last = m.index + m[0].length;
  }
  out.push(escapeHtml(text.slice(last)));
  return out.join('');
}

/** "isl5000-osl250-mixed-h100"-like ids for headings (unique within a page by a counter). */
function slug(text: string, seen: Map<string, number>): string {
  const base = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'section';
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

/** Cells of a "| a | b |" row: a bar inside a cell is "\|" (markdownTable's escape), so " | " only ever separates. */
function cells(line: string): string[] {
  const inner = line.replace(/^\| ?/, '').replace(/ ?\|$/, '');
  return inner.split(' | ').map((c) => c.replaceAll('\\|', '|'));
}

/** Rows flagged (⚠) or on the frontier (★ in the first column) get a class the page styles. */
function rowClass(row: string[]): string {
  if (row.some((c) => c.includes('⚠'))) return ' class="flagged"';
  if (row[0] === '★') return ' class="frontier"';
  return '';
}

function tableHtml(lines: string[]): string {
  const [header = [], sep = [], ...rows] = lines.map(cells);
  const align = (i: number) => (sep[i]?.endsWith(':') ? ' class="num"' : '');
  const head = `<tr>${header.map((h, i) => `<th${align(i)}>${inlineHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr${rowClass(r)}>${r.map((c, i) => `<td${align(i)}>${inlineHtml(c)}</td>`).join('')}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

export interface Heading {
  level: number;
  text: string;
  id: string;
}

/**
 * The HTML of `md`; `image(title, file)` gives the HTML of each image line (report.html puts a
 * chart there). Headings are returned too, for a table of contents.
 */
export function markdownToHtml(md: string, image: (title: string, file: string) => string): { html: string; headings: Heading[] } {
  const lines = md.split('\n');
  const out: string[] = [];
  const headings: Heading[] = [];
  const seen = new Map<string, number>();
  let i = 0;
  const run = (test: (l: string) => boolean): string[] => {
    const block: string[] = [];
    while (i < lines.length && test(lines[i]!)) block.push(lines[i++]!);
    return block;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    const h = /^(#{1,6}) (.*)$/.exec(line);
    const img = /^!\[(.*)\]\(([^()\s]+)\)$/.exec(line);
    if (line.trim() === '') i++;
    else if (h) {
      const level = h[1]!.length;
      const text = h[2]!;
      const id = slug(text, seen);
      headings.push({ level, text, id });
      out.push(`<h${level} id="${escapeHtml(id)}">${inlineHtml(text)}</h${level}>`);
      i++;
    } else if (img) {
      out.push(image(img[1]!, img[2]!));
      i++;
    } else if (line.startsWith('| ')) out.push(tableHtml(run((l) => l.startsWith('| '))));
    else if (line.startsWith('- ')) {
      const items = run((l) => l.startsWith('- ')).map((l) => l.slice(2));
      out.push(`<ul>\n${items.map((t) => `<li${t.includes('⚠') ? ' class="flagged"' : ''}>${inlineHtml(t)}</li>`).join('\n')}\n</ul>`);
    } else {
      const para = run((l) => l.trim() !== '' && !/^(#{1,6} |\| |- |!\[)/.test(l));
      // A line the other branches refused (e.g. "![" without a link) is still text.
      if (para.length === 0) para.push(lines[i++]!);
      out.push(`<p>${para.map(inlineHtml).join(' ')}</p>`);
    }
  }
  return { html: out.join('\n'), headings };
}
