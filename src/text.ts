/**
 * Handlebars, for human text only (alert summaries/descriptions, runbooks). A private
 * instance with noEscape (we emit YAML/Markdown, not HTML) and strict (a missing variable is
 * an error, not an empty string). Prometheus' own templates are written in the .hbs files
 * as \{{ $labels.x }} so handlebars passes them through untouched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** templates/ sits beside src/ and dist/ (both one level below the package root). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

const hbs = Handlebars.create();
hbs.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
hbs.registerHelper('join', (items: unknown[], sep: unknown) => items.join(typeof sep === 'string' ? sep : ', '));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Render templates/<name>.hbs with the given context. Trailing whitespace is trimmed. */
export function render(name: string, context: Record<string, unknown>): string {
  let tpl = cache.get(name);
  if (!tpl) {
    const source = readFileSync(`${TEMPLATES_DIR}${name}.hbs`, 'utf8');
    tpl = hbs.compile(source, { noEscape: true, strict: true });
    cache.set(name, tpl);
  }
  return tpl(context).trimEnd();
}

/** Render a one-line annotation: newlines inside are folded into spaces. */
export function renderLine(name: string, context: Record<string, unknown>): string {
  return render(name, context).replace(/\s*\n\s*/g, ' ').trim();
}
