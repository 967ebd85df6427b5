/**
 * The generated pages of docs/, kept current by `node scripts/docs.mjs --check` and test/docs.test.ts
 * (`npm run docs` writes them):
 *
 * - the configuration reference, docs/configuration.md, rendered from the same zod schema as the
 *   types and the JSON Schema;
 * - the SLO kinds page, docs/slo-kinds.md, put together from src/slo/README.md and the README.md of
 *   every kind's folder (each kind's page lives beside its code), in registry order.
 *
 * One section per top-level key and one per SLO kind (`slos.<kind>`), each a table whose cells stay
 * short: a description longer than a table cell comfortably holds, a long type (an enumeration)
 * and a long default are written as paragraphs under the table instead.
 */
import { exhaustedAlertName } from './budget/policy.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { stringify } from 'yaml';
import { configJsonSchema } from './config/schema.js';
import type { SloKind } from './slo/kind.js';
import { KINDS } from './slo/registry.js';

/** Where `npm run docs` writes the reference, relative to the repository root. */
export const CONFIGURATION_PAGE = 'docs/configuration.md';

/** Longest text kept in a table cell; anything longer moves under the table. */
const CELL_LIMIT = 100;
const TYPE_LIMIT = 48;
const DEFAULT_LIMIT = 40;

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  anyOf?: JsonSchema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** One configuration key as the reference lists it. */
interface ReferenceRow {
  /** Full dotted path, as config errors print it (`slos.controlPlaneSuccessRate.objective`). */
  readonly path: string;
  readonly required: boolean;
  readonly type: string;
  /** The default as JSON, or undefined when the key has none. */
  readonly defaultJson?: string;
  readonly defaultValue?: unknown;
  readonly description: string;
}

/** One section of the reference: a top-level key, or one SLO kind under `slos`. */
interface ReferenceSection {
  readonly path: string;
  readonly description: string;
  readonly rows: readonly ReferenceRow[];
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map of ${typeOf(s.additionalProperties)}`;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  const range: string[] = [];
  if (s.exclusiveMinimum !== undefined) range.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) range.push(`≥ ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) range.push(`< ${s.exclusiveMaximum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) range.push(`≤ ${s.maximum}`);
  return range.length ? `${t} (${range.join(', ')})` : t;
}

function rowsOf(schema: JsonSchema, path: string, required: boolean): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const walk = (s: JsonSchema, p: string, req: boolean) => {
    rows.push({
      path: p,
      required: req,
      type: typeOf(s),
      description: s.description ?? '',
      ...(s.default === undefined ? {} : { defaultJson: JSON.stringify(s.default), defaultValue: s.default }),
    });
    // Overrides take the same keys as the top level: listing them again would double the page.
    if (p.endsWith('.overrides')) return;
    if (s.type === 'object' && s.properties) {
      for (const [k, v] of Object.entries(s.properties)) walk(v, `${p}.${k}`, (s.required ?? []).includes(k));
    }
    if (s.type === 'array' && s.items?.properties) {
      for (const [k, v] of Object.entries(s.items.properties)) walk(v, `${p}[].${k}`, (s.items.required ?? []).includes(k));
    }
  };
  walk(schema, path, required);
  return rows;
}

/** The sections of the reference, in schema order; `slos` is split into one section per SLO kind. */
function referenceSections(): ReferenceSection[] {
  const root = configJsonSchema() as JsonSchema;
  const sections: ReferenceSection[] = [];
  for (const [key, schema] of Object.entries(root.properties ?? {})) {
    if (key === '$schema') continue;
    if (key === 'slos' && schema.properties) {
      for (const [kind, kindSchema] of Object.entries(schema.properties)) {
        const path = `slos.${kind}`;
        sections.push({ path, description: kindSchema.description ?? '', rows: rowsOf(kindSchema, path, false).slice(1) });
      }
      continue;
    }
    const rows = rowsOf(schema, key, (root.required ?? []).includes(key));
    // A scalar top-level key is its own only row; an object or list section lists its keys, its
    // own description being the section's.
    sections.push({ path: key, description: schema.description ?? '', rows: rows.length > 1 ? rows.slice(1) : rows });
  }
  return sections;
}

/** A `<` that opens a tag-like word outside code spans (`<base>`) would be read as HTML by a Markdown renderer. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/<(?=[A-Za-z/!?])/g, '&lt;')))
    .join('')
    .replace(/\n/g, ' ');
}

const cell = (text: string) => prose(text).replace(/\|/g, '\\|');

/**
 * What a cell shows of a long description: its first sentence when that is short enough,
 * otherwise its opening words; the whole text follows the table.
 */
function summary(text: string): string {
  const sentence = /^(.+?[.:])(?:\s+(?=[A-Z(`])|$)/.exec(text)?.[1];
  if (sentence && sentence.length <= CELL_LIMIT && !/\b(e\.g|i\.e|vs)\.$/.test(sentence)) return `${sentence} ↓`;
  const words = text.slice(0, CELL_LIMIT - 10);
  return `${words.slice(0, words.lastIndexOf(' ')).replace(/[,;:(]$/, '')} … ↓`;
}

function sectionMarkdown(section: ReferenceSection): string {
  const lines: string[] = [`## ${section.path}`, ''];
  // A scalar top-level key (`cluster`) is its own only row, which carries the description.
  const scalar = section.rows.length === 1 && section.rows[0]?.path === section.path;
  if (section.description && !scalar) lines.push(prose(section.description), '');
  const notes: string[] = [];
  lines.push('| key | type | default | description |', '|---|---|---|---|');
  for (const row of section.rows) {
    const key = `\`${row.path}\`${row.required ? ' (required)' : ''}`;
    const longType = row.type.length > TYPE_LIMIT;
    const longDefault = row.defaultJson !== undefined && row.defaultJson.length > DEFAULT_LIMIT;
    const longDescription = row.description.length > CELL_LIMIT;
    const type = longType ? (row.type.includes(' or ') ? 'one of the values below' : 'see below') : row.type;
    const value = row.defaultJson === undefined ? '' : longDefault ? 'see below' : `\`${row.defaultJson}\``;
    const description = longDescription ? summary(row.description) : row.description;
    lines.push(`| ${key} | ${cell(type)} | ${value} | ${cell(description)} |`);
    if (longType || longDefault || longDescription) {
      const note: string[] = [`**\`${row.path}\`**${longDescription ? `: ${prose(row.description)}` : ''}`];
      if (longType) note.push('', `Type: ${prose(row.type)}.`);
      if (longDefault) note.push('', 'Default:', '', '```yaml', stringify(row.defaultValue, { lineWidth: 0 }).trimEnd(), '```');
      notes.push(note.join('\n'));
    }
  }
  if (notes.length) lines.push('', notes.join('\n\n'));
  return lines.join('\n');
}

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The whole of docs/configuration.md. */
export function configurationPage(): string {
  const sections = referenceSections();
  const header = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` from src/config/schema.ts; do not edit by hand. -->',
    '',
    'Every key of a linkerd-slo config (YAML or `defineConfig` in TypeScript), with its type, its default and',
    'why the default is what it is. The same schema gives the TypeScript types and the JSON Schema',
    '(`linkerd-slo schema`, `out/schema/linkerd-slo.schema.json`), so an editor with the YAML language server',
    'completes and checks these keys. Paths are written as config errors print them; `[]` is an element of',
    'a list. Only `cluster` is required: everything else has a default.',
    '',
    'Sections:',
    '',
    ...sections.map((s) => `- [${s.path}](#${anchor(s.path)})`),
  ].join('\n');
  return `${[header, ...sections.map(sectionMarkdown)].join('\n\n')}\n`;
}

/** Where `npm run docs` writes the SLO kinds page, relative to the repository root. */
export const SLO_KINDS_PAGE = 'docs/slo-kinds.md';
/** The kinds' folders and the page about what they share (the burn-rate engine), relative to the root. */
const SLO_DIR = 'src/slo';

interface KindPage {
  readonly kind: SloKind;
  readonly folder: string;
  readonly readme: string;
  /** The alerts the kind can raise: one runbook template each, in templates/runbooks/ of its folder. */
  readonly alerts: readonly string[];
}

/**
 * Each registered kind's folder and page, in registry order. A folder is matched to its kind by the
 * kind its index module exports, so a kind needs no other declaration; a registered kind without a
 * README.md, or a README.md beside no registered kind, stops the build of the page.
 */
async function kindPages(root: string): Promise<KindPage[]> {
  const registered: readonly SloKind[] = KINDS;
  const pages = new Map<SloKind, KindPage>();
  const folders = readdirSync(join(root, SLO_DIR), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const folder of folders) {
    const readme = join(root, SLO_DIR, folder, 'README.md');
    if (!existsSync(readme)) continue;
    // The compiled module beside this one (dist/slo/<folder>/index.js), or the source under vitest.
    const module = (await import(new URL(`./slo/${folder}/index.js`, import.meta.url).href)) as Record<string, unknown>;
    const kind = registered.find((k) => Object.values(module).includes(k));
    if (!kind) throw new Error(`${SLO_DIR}/${folder}/README.md: ${SLO_DIR}/${folder}/index.ts exports no kind of KINDS (src/slo/registry.ts)`);
    const runbooks = join(root, SLO_DIR, folder, 'templates', 'runbooks');
    const own = existsSync(runbooks) ? readdirSync(runbooks).filter((f) => f.endsWith('.md.hbs')).map((f) => f.slice(0, -'.md.hbs'.length)) : [];
    // Each burn-rate alert has its budget-exhausted ticket, whose runbook the shared policy module renders.
    const alerts = [...own, ...own.filter((a) => a.endsWith('BudgetBurn')).map(exhaustedAlertName)].sort();
    pages.set(kind, { kind, folder, readme: readFileSync(readme, 'utf8'), alerts });
  }
  const missing = registered.filter((k) => !pages.has(k));
  if (missing.length) throw new Error(`no README.md in the folder of kind(s) ${missing.map((k) => k.id).join(', ')} under ${SLO_DIR}/`);
  return registered.map((k) => pages.get(k)!);
}

/** Lines outside fenced code blocks, transformed. */
function outsideCode(markdown: string, transform: (line: string) => string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return fenced || line.startsWith('```') ? line : transform(line);
    })
    .join('\n');
}

/**
 * A README's relative links, written from its own folder, as seen from docs/: a link to one of the
 * pages merged into this one becomes a link within it, any other is re-rooted at docs/.
 */
function relink(markdown: string, source: string, merged: ReadonlyMap<string, string>): string {
  return outsideCode(markdown, (line) =>
    line.replace(/\]\(([^)\s]+)\)/g, (whole, link: string) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#')) return whole;
      const [path = '', fragment] = link.split('#');
      const target = posix.normalize(posix.join(posix.dirname(source), path));
      const within = merged.get(target);
      if (within !== undefined) return `](#${fragment ?? within})`;
      return `](${posix.relative('docs', target)}${path.endsWith('/') ? '/' : ''}${fragment === undefined ? '' : `#${fragment}`})`;
    }),
  );
}

/** The whole of docs/slo-kinds.md, from the READMEs under `root`/src/slo. */
export async function sloKindsPage(root: string): Promise<string> {
  const shared = readFileSync(join(root, SLO_DIR, 'README.md'), 'utf8');
  const kinds = await kindPages(root);
  const titleOf = (p: KindPage) => {
    const title = /^# (.+)$/m.exec(p.readme)?.[1];
    if (!title) throw new Error(`${SLO_DIR}/${p.folder}/README.md: starts with no "# " title`);
    return title.trim();
  };
  const merged = new Map<string, string>([
    [`${SLO_DIR}/README.md`, ''],
    ...kinds.map((p): [string, string] => [`${SLO_DIR}/${p.folder}/README.md`, anchor(titleOf(p))]),
  ]);
  const cut = shared.indexOf('\n## ');
  const [title, ...intro] = relink(cut < 0 ? shared : shared.slice(0, cut), `${SLO_DIR}/README.md`, merged).trimEnd().split('\n');
  const sharedSections = cut < 0 ? '' : relink(shared.slice(cut + 1), `${SLO_DIR}/README.md`, merged).trimEnd();
  const table = [
    '| kind | folder | config section | alerts |',
    '|---|---|---|---|',
    ...kinds.map((p) => {
      const key = p.kind.config?.key;
      const section = key ? `[\`slos.${key}\`](configuration.md#${anchor(`slos.${key}`)})` : '–';
      const folder = `[\`${SLO_DIR}/${p.folder}/\`](../${SLO_DIR}/${p.folder}/)`;
      return `| [${titleOf(p)}](#${anchor(titleOf(p))}) | ${folder} | ${section} | ${p.alerts.length ? p.alerts.map((a) => `\`${a}\``).join(', ') : '–'} |`;
    }),
  ].join('\n');
  const kindSections = kinds.map((p) =>
    outsideCode(relink(p.readme, `${SLO_DIR}/${p.folder}/README.md`, merged), (line) => (/^#{1,5} /.test(line) ? `#${line}` : line)).trimEnd(),
  );
  const generated = '<!-- Generated by `npm run docs` from src/slo/README.md and the README.md of each kind\'s folder; edit those, not this page. -->';
  return `${[title, generated, intro.join('\n').trim(), table, sharedSections, ...kindSections].filter(Boolean).join('\n\n')}\n`;
}
