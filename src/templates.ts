/**
 * Human text: the Handlebars renderer for alert summaries/descriptions and runbooks. Every SLO kind
 * keeps its templates in a `templates/` folder beside its module (src/slo/<kind>/templates/, runbooks
 * under templates/runbooks/); the build copies them next to the compiled module in dist/.
 *
 * Handlebars runs as a private instance with noEscape (we emit YAML/Markdown, not HTML) and strict
 * (a missing variable is an error, not an empty string). Prometheus' own templates are written in
 * the .hbs files as \{{ $labels.x }} so handlebars passes them through untouched. Config strings
 * reach the text inert: see src/text.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { markdownCode, markdownText } from './text.js';

const hbs = Handlebars.create();
hbs.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
hbs.registerHelper('join', (items: unknown[], sep: unknown) => items.join(typeof sep === 'string' ? sep : ', '));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('text', (value: unknown) => markdownText(String(value ?? '')));
/** {{code a b ...}}: the arguments joined into one Markdown code span no value can close; cellCode inside a table cell. */
const codeArgs = (args: unknown[]): string => args.slice(0, -1).map((a) => String(a ?? '')).join('');
hbs.registerHelper('code', (...args: unknown[]) => markdownCode(codeArgs(args)));
hbs.registerHelper('cellCode', (...args: unknown[]) => markdownCode(codeArgs(args), true));

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** The templates of one folder. */
export interface Templates {
  /** Render <folder>/<name>.hbs with the given context. Trailing whitespace is trimmed. */
  render(name: string, context: Record<string, unknown>): string;
  /** Render a one-line annotation: newlines inside are folded into spaces. */
  line(name: string, context: Record<string, unknown>): string;
  /** The runbook page of an alert: <folder>/runbooks/<alert>.md.hbs. */
  runbook(alert: string, context: Record<string, unknown>): string;
}

/** The templates/ folder beside a module: `templatesBeside(import.meta.url)`. */
export function templatesBeside(moduleUrl: string): Templates {
  const dir = fileURLToPath(new URL('./templates/', moduleUrl));
  const render = (name: string, context: Record<string, unknown>): string => {
    const file = `${dir}${name}.hbs`;
    let tpl = cache.get(file);
    if (!tpl) {
      tpl = hbs.compile(readFileSync(file, 'utf8'), { noEscape: true, strict: true });
      cache.set(file, tpl);
    }
    return tpl(context).trimEnd();
  };
  return {
    render,
    line: (name, context) => render(name, context).replace(/\s*\n\s*/g, ' ').trim(),
    runbook: (alert, context) => render(`runbooks/${alert}.md`, context),
  };
}
