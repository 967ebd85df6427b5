/**
 * The Markdown of text panels, sanitised: every character of the source is HTML-escaped first, then
 * only a small subset becomes markup (paragraphs, headings, lists, **bold**, *italic*, `code`,
 * [links](url)). A link keeps its target only when it is http(s) or a dashboard this preview
 * rendered; anything else (javascript:, data:, other relative paths) stays plain text.
 */

import { escapeHtml } from '../text.js';

/** A link target the page may keep: an http(s) URL, or a rendered dashboard's page; undefined drops the link. */
export type LinkResolver = (url: string) => string | undefined;

/** http(s) URLs as they are; `/d/<uid>...` to `<uid>.html` when that dashboard is rendered here. */
export function linkResolver(renderedUids: ReadonlySet<string>): LinkResolver {
  return (url) => {
    if (/^https?:\/\/[^\s"'<>]+$/i.test(url)) return url;
    const m = /^\/d\/([A-Za-z0-9_-]+)(?:[/?#].*)?$/.exec(url);
    if (m && renderedUids.has(m[1]!)) return `${m[1]}.html`;
    return undefined;
  };
}

function inline(escaped: string, resolve: LinkResolver): string {
  // Links first, on the escaped text: the URL is unescaped to be checked, then escaped again.
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return escaped
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, text: string, url: string) => {
      const target = resolve(unescape(url));
      return target ? `<a href="${escapeHtml(target)}"${/^https?:/i.test(target) ? ' target="_blank" rel="noopener noreferrer"' : ''}>${text}</a>` : text;
    })
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
}

export function renderMarkdown(source: string, resolve: LinkResolver): string {
  const out: string[] = [];
  let list: string[] | undefined;
  let para: string[] = [];
  const flushPara = () => {
    if (para.length) out.push(`<p>${para.join(' ')}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) out.push(`<ul>${list.map((i) => `<li>${i}</li>`).join('')}</ul>`);
    list = undefined;
  };
  for (const raw of source.split('\n')) {
    const line = escapeHtml(raw.trimEnd());
    const item = /^\s*[-*+]\s+(.*)$/.exec(line);
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (item) {
      flushPara();
      (list ??= []).push(inline(item[1]!, resolve));
    } else if (heading) {
      flushPara();
      flushList();
      const level = Math.min(6, heading[1]!.length + 2);
      out.push(`<h${level}>${inline(heading[2]!, resolve)}</h${level}>`);
    } else if (line.trim() === '') {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(inline(line.trim(), resolve));
    }
  }
  flushPara();
  flushList();
  return out.join('\n');
}
