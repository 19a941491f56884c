/**
 * The page's building blocks: escaping, number tables, and the document shell. The shell's
 * Content-Security-Policy forbids every fetch and allows only the page's own script (by hash), so the
 * report can make no request even if a name from a member account tried to smuggle markup in.
 */
import { createHash } from 'node:crypto';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/**
 * JSON to embed in `<script type="application/json">`: every `<` escaped, so no value can close the
 * element (`</script>`) or open a comment; JSON.parse reads `\u003c` back as `<`.
 */
export const embedJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export const formatCount = (value: number): string => value.toLocaleString('en-US');

export type Cell = string | number | null;

/**
 * A table of numbers. Counts carry their exact value in `data-count`, which tests and scripts read
 * without parsing the formatted text.
 */
export function numberTable(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((cell, index) => {
            if (typeof cell === 'number')
              return `<td class="num" data-count="${cell}">${formatCount(cell)}</td>`;
            const text = escapeHtml(cell ?? '');
            return index === 0 ? `<th scope="row">${text}</th>` : `<td>${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A chart and its numbers side by side (stacked on narrow screens and in print). */
export function chartWithTable(id: string, title: string, svg: string, table: string, note = ''): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${note}
<div class="pair"><figure role="img" aria-label="${escapeHtml(title)}">${svg}</figure><div class="numbers">${table}</div></div></section>`;
}

const STYLE = `
:root { color-scheme: light; --border: #e5e7eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; background: #f9fafb; }
header, main { max-width: 1400px; margin: 0 auto; padding: 16px 24px; }
header { border-bottom: 1px solid var(--border); background: #fff; max-width: none; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 8px; }
.meta { color: var(--muted); margin: 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 0; padding: 0; list-style: none; }
.kpis li { background: #fff; border: 1px solid var(--border); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.kpis b { display: block; font-size: 20px; }
.kpis .bad b { color: #b91c1c; } .kpis .warn b { color: #b45309; }
section { background: #fff; border: 1px solid var(--border); border-radius: 8px; padding: 16px; margin: 16px 0; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; flex: 1 1 520px; min-width: 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
.numbers { flex: 0 1 420px; max-height: 560px; overflow: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--border); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f3f4f6; }
td.num { text-align: right; }
.note { color: var(--muted); margin: 4px 0 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 8px; padding: 0; list-style: none; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
#at-risk-controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 8px; }
#at-risk-controls input { min-width: 280px; padding: 4px 8px; }
#at-risk-table th button { all: unset; cursor: pointer; font-weight: 600; }
#at-risk-table th[aria-sort=ascending] button::after { content: " \\25B2"; }
#at-risk-table th[aria-sort=descending] button::after { content: " \\25BC"; }
#at-risk-table tr.deprecated td:nth-child(6) { color: #b91c1c; font-weight: 600; }
#at-risk-table tr.deprecating-soon td:nth-child(6) { color: #b45309; font-weight: 600; }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--border); }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f3f4f6; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
@media print {
  body { background: #fff; } section { break-inside: avoid; border: 0; }
  #at-risk-controls, #at-risk-more { display: none !important; } .numbers, .scroll { max-height: none; overflow: visible; }
}`;

/** The whole document: one file, with its style and script inline and no way to load anything else. */
export function documentShell(title: string, header: string, main: string, script: string): string {
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const policy = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>${header}</header>
<main>
${main}
</main>
<script>${script}</script>
</body>
</html>
`;
}
