/**
 * The functions that make user-supplied strings inert in the text we write (the Handlebars
 * renderer that uses them is src/templates.ts).
 *
 * What keeps config strings inert:
 * - the schema (src/config/schema.ts) rejects, in every string of the config, control characters
 *   and line/paragraph separators, Go template delimiters ({{ and }}), and strings over 1024
 *   characters; names, label names, job names, severities and URLs are further held to charsets
 *   with no Markdown, HTML or YAML meaning;
 * - free text (an SLO description) is escaped by markdownText() wherever it lands in Markdown
 *   (templates use {{text x}});
 * - values shown as code in Markdown (a selector holding a matcher's value) go through
 *   markdownCode() (templates use {{code a b ...}}, or {{cellCode ...}} in a table cell): no
 *   backtick in the value can close the span;
 * - file names we only echo (the config file in headers) go through sourceName().
 */
import { createHash } from 'node:crypto';

/** C0 and C1 controls, DEL, and U+2028/U+2029 (JavaScript and YAML 1.1 line breaks). */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const CONTROL_CHARACTERS_GLOBAL = new RegExp(CONTROL_CHARACTERS.source, 'gu');

/** A value for a one-line message: JSON (controls escaped), line separators escaped, long values cut. */
export function quote(value: unknown, max = 80): string {
  const json = (JSON.stringify(value) ?? String(value)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return json.length > max + 2 ? `${json.slice(0, max)}… (${typeof value === 'string' ? `${value.length} characters` : 'cut'})` : json;
}

/** Text for a YAML/shell comment line: every control character and line separator becomes "?". */
export function commentText(text: string): string {
  return text.replace(CONTROL_CHARACTERS_GLOBAL, '?');
}

/**
 * The config file as named in generated headers and dashboards: its base name only, so the output
 * does not depend on the directory linkerd-slo runs from, with every character that means
 * something in YAML comments, Markdown or HTML replaced by "_".
 */
export function sourceName(file: string): string {
  const base = file.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const safe = base.replace(/[^\p{L}\p{N}._+@=,-]/gu, '_').slice(0, 128);
  return safe === '' ? 'config' : safe;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute: the five special characters as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Free text inside Markdown prose (CommonMark/GFM, as GitHub and Grafana render it): one line,
 * HTML special characters as entities, and every character that starts inline Markdown (emphasis,
 * code, links, images, tables, escapes) backslash-escaped, so the text can neither open a tag, a
 * link nor a new block. Characters that only mean something at the start of a line (#, >, -, +,
 * 1.) are escaped there.
 */
export function markdownText(text: string): string {
  const line = text.replace(CONTROL_CHARACTERS_GLOBAL, ' ').replace(/\s+/g, ' ').trim();
  const escaped = escapeHtml(line).replace(/[\\`*_[\]()!|~]/g, (c) => `\\${c}`);
  return escaped.replace(/^([#=+-]|\d+(?=[.)]))/, (m) => (/^\d/.test(m) ? `${m}\\` : `\\${m}`));
}

/**
 * A Markdown code span (CommonMark 6.1) that shows `text` literally and that nothing in it can close:
 * a span closes only at a backtick run as long as the one that opened it, so the fence is one
 * backtick longer than the longest run inside; a space pads text that starts or ends with a
 * backtick or a space (CommonMark strips one space from each side). Inside a GFM table cell a "|"
 * would end the cell even in a code span, so `cell` escapes it as "\|" (GFM removes the backslash).
 */
export function markdownCode(text: string, cell = false): string {
  const line = text.replace(CONTROL_CHARACTERS_GLOBAL, ' ');
  const body = cell ? line.replace(/\|/g, '\\|') : line;
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(body) && /[^ ]/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A Markdown link to an http(s) URL. The URL must already be one (the schema allows no other);
 * anything else is our bug. Characters that would end the link destination are percent-encoded.
 */
export function markdownLink(label: string, url: string): string {
  if (!/^https?:\/\//i.test(url)) throw new Error(`markdownLink: refusing a non-http(s) URL ${quote(url)}; this is a bug in linkerd-slo`);
  const target = url.replace(/[\s<>()[\]`"'\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${markdownText(label)}](${target})`;
}

/**
 * A generated name held to `max` characters: a longer one keeps its readable start and ends in a
 * hash of the whole name, so two long names sharing a prefix never collide.
 */
export function boundedName(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
