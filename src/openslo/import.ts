/**
 * OpenSLO v1 → linkerd-slo config (`linkerd-slo import-openslo`).
 *
 * Accepted: apiVersion openslo/v1; kind SLO with an inline `indicator` or an `indicatorRef` to a
 * kind SLI document; ratioMetric with `counter: true`, `good` or `bad` plus `total`, each a
 * Prometheus metricSource whose query is a counter selector (rate()/increase() and one sum()
 * without grouping are stripped); one objective (targetPercent, or target in [0, 1)); one rolling
 * timeWindow; budgetingMethod Occurrences. Every imported SLO becomes a slos.custom entry.
 *
 * OpenSLO's AlertPolicy/AlertCondition describe one burn-rate condition over one lookback window, so
 * the multiwindow, multi-burn-rate alerting of the SRE Workbook cannot be expressed in it. Unlike
 * Sloth's importer (which disables all alerts), every imported SLO keeps our alerting.windows
 * defaults; alerting documents are ignored with a warning.
 *
 * Every problem names the file, line:column, the document (index, kind and metadata.name) and the
 * field path, and all of them are reported together.
 */
import { dump, loadAll, YAMLException } from 'js-yaml';
import { ConfigError, formatPath, type ConfigPath, type LocatedIssue } from '../config/errors.js';
import { validateConfig } from '../config/load.js';
import { yamlDocumentLocators } from '../config/positions.js';
import type { ConfigInput } from '../config/schema.js';
import { inline } from '../promql/ast.js';
import { parseCounterQuery, SelectorParseError } from '../promql/parse.js';
import { cleanNumber, formatNumber } from '../promql/number.js';
import { DEFAULT_WINDOWS } from '../config/schema.js';
import { commentText, quote } from '../text.js';

export const OPENSLO_API_VERSION = 'openslo/v1';
const IGNORED_KINDS = ['DataSource', 'Service', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface OpenSloSource {
  /** Shown in messages (a path as the user typed it). */
  readonly file: string;
  readonly text: string;
}

/** One problem in an OpenSLO document. */
export interface OpenSloIssue extends LocatedIssue {
  /** "document 2 (SLO checkout-availability)". */
  readonly document?: string;
}

function formatOpenSloIssue(i: OpenSloIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
  // One line, whatever the file names and document fields hold.
  return commentText(`${where}: ${i.document ? `${i.document}: ` : ''}${formatPath(i.path)}: ${i.message}`);
}

/** Import failures; a ConfigError, so the CLI exits 2 and writes nothing. */
export class OpenSloImportError extends ConfigError {
  constructor(readonly openSloIssues: readonly OpenSloIssue[]) {
    super(openSloIssues);
    this.name = 'OpenSloImportError';
    this.message = openSloIssues.map(formatOpenSloIssue).join('\n');
  }
}

interface ImportedSlo {
  readonly name: string;
  readonly description?: string;
  readonly objective: number;
  readonly period: string;
  readonly errors?: string;
  readonly good?: string;
  readonly total: string;
}

export interface ImportResult {
  /** The config (input form): cluster plus slos.custom. */
  readonly config: ConfigInput;
  readonly slos: readonly ImportedSlo[];
  /** Ignored documents and fields, with why. */
  readonly warnings: readonly string[];
  /** The config as YAML, with a header explaining where alerting comes from. */
  readonly yaml: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parsed document with what is needed to point at its fields. */
interface Doc {
  readonly file: string;
  readonly index: number; // 1-based within its file
  readonly value: unknown;
  readonly locate: (path: ConfigPath) => { line: number; column: number } | undefined;
  readonly label: string;
}

/** A document's kind or name in messages and comments: as written when it is a plain name, else quoted and cut. */
function displayName(v: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(v) ? v : quote(v, 40);
}

function docLabel(index: number, value: unknown): string {
  const kind = isObj(value) && typeof value.kind === 'string' ? displayName(value.kind) : undefined;
  const name = isObj(value) && isObj(value.metadata) && typeof value.metadata.name === 'string' ? displayName(value.metadata.name) : undefined;
  return `document ${index}${kind || name ? ` (${[kind, name].filter(Boolean).join(' ')})` : ''}`;
}

function readDocuments(source: OpenSloSource, issues: OpenSloIssue[]): Doc[] {
  let values: unknown[];
  try {
    values = loadAll(source.text, undefined, { filename: source.file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const mark = (err as YAMLException & { mark?: { line: number; column: number } }).mark;
      issues.push({ file: source.file, path: [], line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined, message: `invalid YAML: ${err.reason}` });
      return [];
    }
    throw err;
  }
  // A second, position-aware parse only to point messages at line:column.
  const locators = yamlDocumentLocators(source.text);
  const out: Doc[] = [];
  let n = 0;
  values.forEach((value) => {
    if (value === null || value === undefined) return;
    const locator = locators[n];
    n++;
    const index = n;
    const locate = (path: ConfigPath) => locator?.(path);
    out.push({ file: source.file, index, value, locate, label: docLabel(index, value) });
  });
  return out;
}

/** Collects problems against a document and path. */
class Problems {
  readonly issues: OpenSloIssue[] = [];
  add(doc: Doc, path: ConfigPath, message: string): void {
    const pos = doc.locate(path);
    this.issues.push({ file: doc.file, document: doc.label, path, message, line: pos?.line, column: pos?.column });
  }
}

// ---- field readers ----------------------------------------------------------------------------

function get(v: unknown, key: string): unknown {
  return isObj(v) ? v[key] : undefined;
}

/** OpenSLO duration shorthand (integer + m h d w M Q Y) → a Prometheus duration. */
function convertDuration(text: unknown): { ok: string } | { error: string } {
  if (typeof text !== 'string' || !/^[1-9][0-9]*[mhdwMQY]$/.test(text)) {
    return { error: `expected an OpenSLO duration such as 28d or 4w (integer + m, h, d or w), found ${quote(text)}` };
  }
  const unit = text.slice(-1);
  if ('MQY'.includes(unit)) {
    return { error: `${text}: months, quarters and years have no fixed length in a rolling window; write it in days or weeks (e.g. 30d or 4w)` };
  }
  return { ok: text };
}

interface Indicator {
  readonly doc: Doc;
  /** Path of the SLI's `spec` inside doc. */
  readonly specPath: ConfigPath;
  readonly spec: unknown;
  readonly name: string;
}

interface Queries {
  readonly errors?: string;
  readonly good?: string;
  readonly total: string;
  /** Config field → source field, for mapping later config issues back. */
  readonly origin: Record<string, { doc: Doc; path: ConfigPath }>;
}

function readQuery(p: Problems, warnings: string[], doc: Doc, path: ConfigPath, value: unknown): string | undefined {
  if (!isObj(value)) {
    p.add(doc, path, 'expected a mapping with metricSource');
    return undefined;
  }
  const source = value.metricSource;
  if (!isObj(source)) {
    p.add(doc, [...path, 'metricSource'], 'expected metricSource {type: Prometheus, spec: {query: ...}}');
    return undefined;
  }
  if (typeof source.type !== 'string' || source.type.toLowerCase() !== 'prometheus') {
    p.add(doc, [...path, 'metricSource', 'type'], `metric source type ${quote(source.type)} is not supported; only Prometheus queries can be imported`);
    return undefined;
  }
  const query = get(source.spec, 'query');
  if (typeof query !== 'string') {
    p.add(doc, [...path, 'metricSource', 'spec', 'query'], 'expected a PromQL query string (spec.query)');
    return undefined;
  }
  try {
    const parsed = parseCounterQuery(query);
    if (parsed.stripped) warnings.push(`${doc.file}: ${doc.label}: ${formatPath([...path, 'metricSource', 'spec', 'query'])}: stripped ${parsed.stripped} to the counter selector; linkerd-slo chooses the rate windows`);
    return inline(parsed.selector);
  } catch (err) {
    if (!(err instanceof SelectorParseError)) throw err;
    p.add(doc, [...path, 'metricSource', 'spec', 'query'], `${err.message}; query: ${quote(query)}`);
    return undefined;
  }
}

function readRatioMetric(p: Problems, warnings: string[], ind: Indicator): Queries | undefined {
  const { doc, specPath, spec } = ind;
  if (!isObj(spec)) {
    p.add(doc, specPath, 'expected the SLI spec (a mapping with ratioMetric)');
    return undefined;
  }
  if (spec.thresholdMetric !== undefined) {
    p.add(doc, [...specPath, 'thresholdMetric'], 'thresholdMetric SLIs are not supported; only ratioMetric (good or bad over total counters) can be imported');
    return undefined;
  }
  const ratio = spec.ratioMetric;
  const rpath = [...specPath, 'ratioMetric'];
  if (!isObj(ratio)) {
    p.add(doc, rpath, 'expected ratioMetric {counter: true, good | bad, total}');
    return undefined;
  }
  let ok = true;
  if (ratio.counter !== true) {
    p.add(doc, [...rpath, 'counter'], `counter must be true: linkerd-slo computes rates of counters; gauge ratios (counter: ${quote(ratio.counter ?? null)}) are not supported`);
    ok = false;
  }
  if (ratio.raw !== undefined || ratio.rawType !== undefined) {
    p.add(doc, [...rpath, ratio.raw !== undefined ? 'raw' : 'rawType'], 'raw (precomputed ratio) metrics are not supported; use good or bad with total');
    ok = false;
  }
  if (ratio.good !== undefined && ratio.bad !== undefined) {
    p.add(doc, [...rpath, 'bad'], 'set good or bad, not both');
    ok = false;
  } else if (ratio.good === undefined && ratio.bad === undefined && ratio.raw === undefined) {
    p.add(doc, rpath, 'needs good or bad, next to total');
    ok = false;
  }
  if (ratio.total === undefined && ratio.raw === undefined) {
    p.add(doc, rpath, 'needs total');
    ok = false;
  }
  if (!ok) return undefined;
  const field = ratio.bad !== undefined ? 'bad' : 'good';
  const main = readQuery(p, warnings, doc, [...rpath, field], ratio[field]);
  const total = readQuery(p, warnings, doc, [...rpath, 'total'], ratio.total);
  if (main === undefined || total === undefined) return undefined;
  const queryPath = (f: string): ConfigPath => [...rpath, f, 'metricSource', 'spec', 'query'];
  return field === 'bad'
    ? { errors: main, total, origin: { errors: { doc, path: queryPath('bad') }, total: { doc, path: queryPath('total') } } }
    : { good: main, total, origin: { good: { doc, path: queryPath('good') }, total: { doc, path: queryPath('total') } } };
}

/** spec.timeWindow: one rolling window, its duration as a config period (undefined after a problem). */
function readTimeWindow(p: Problems, doc: Doc, spec: Obj): string | undefined {
  const tw = spec.timeWindow;
  if (!Array.isArray(tw) || tw.length === 0) p.add(doc, ['spec', 'timeWindow'], 'expected one time window [{duration: 30d, isRolling: true}]');
  else if (tw.length > 1) p.add(doc, ['spec', 'timeWindow', 1], `expected one time window, found ${tw.length}`);
  else {
    const w = tw[0] as unknown;
    if (get(w, 'calendar') !== undefined) {
      p.add(doc, ['spec', 'timeWindow', 0, 'calendar'], 'calendar-aligned windows are not supported; use a rolling window (isRolling: true, no calendar)');
    } else if (get(w, 'isRolling') !== true) {
      p.add(doc, ['spec', 'timeWindow', 0, 'isRolling'], `only rolling windows are supported (isRolling: true), found ${quote(get(w, 'isRolling') ?? null)}`);
    }
    const d = convertDuration(get(w, 'duration'));
    if ('error' in d) p.add(doc, ['spec', 'timeWindow', 0, 'duration'], d.error);
    else return d.ok;
  }
  return undefined;
}

/** spec.objectives: one objective, as a percentage, and where it was written. */
function readObjective(p: Problems, doc: Doc, spec: Obj): { objective: number | undefined; objectivePath: ConfigPath } {
  let objective: number | undefined;
  let objectivePath: ConfigPath = ['spec', 'objectives'];
  const objectives = spec.objectives;
  if (!Array.isArray(objectives) || objectives.length === 0) p.add(doc, ['spec', 'objectives'], 'expected one objective with targetPercent or target');
  else if (objectives.length > 1) {
    p.add(doc, ['spec', 'objectives'], `${objectives.length} objectives: linkerd-slo supports one objective per SLO; write one SLO document per objective`);
  } else {
    const o = objectives[0] as unknown;
    const base: ConfigPath = ['spec', 'objectives', 0];
    for (const key of ['op', 'value'] as const) {
      if (get(o, key) !== undefined) p.add(doc, [...base, key], `${key} belongs to thresholdMetric objectives, which are not supported`);
    }
    for (const key of ['timeSliceTarget', 'timeSliceWindow'] as const) {
      if (get(o, key) !== undefined) p.add(doc, [...base, key], `${key} belongs to time-slice budgeting, which is not supported (budgetingMethod Occurrences only)`);
    }
    for (const key of ['indicator', 'indicatorRef', 'compositeWeight'] as const) {
      if (get(o, key) !== undefined) p.add(doc, [...base, key], 'composite SLOs (an indicator per objective) are not supported');
    }
    const percent = get(o, 'targetPercent');
    const ratio = get(o, 'target');
    if (percent !== undefined && ratio !== undefined) p.add(doc, [...base, 'target'], 'set targetPercent or target, not both');
    else if (percent !== undefined) {
      objectivePath = [...base, 'targetPercent'];
      if (typeof percent !== 'number' || !(percent > 0 && percent < 100)) p.add(doc, objectivePath, `expected a percentage above 0 and below 100, found ${quote(percent)}`);
      else objective = percent;
    } else if (ratio !== undefined) {
      objectivePath = [...base, 'target'];
      if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) p.add(doc, objectivePath, `expected a ratio above 0 and below 1, found ${quote(ratio)}`);
      else objective = cleanNumber(ratio * 100);
    } else p.add(doc, base, 'needs targetPercent or target');
  }
  return { objective, objectivePath };
}

/** spec.indicator or spec.indicatorRef: the SLI's ratio queries (problems inside a referenced SLI name this SLO). */
function readIndicator(p: Problems, warnings: string[], doc: Doc, spec: Obj, name: unknown, slis: ReadonlyMap<string, Indicator>): Queries | undefined {
  let indicator: Indicator | undefined;
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) p.add(doc, ['spec', 'indicatorRef'], 'set indicator or indicatorRef, not both');
  else if (spec.indicator !== undefined) {
    indicator = { doc, specPath: ['spec', 'indicator', 'spec'], spec: get(spec.indicator, 'spec'), name: String(get(get(spec.indicator, 'metadata'), 'name') ?? name) };
  } else if (typeof spec.indicatorRef === 'string') {
    indicator = slis.get(spec.indicatorRef);
    if (!indicator) {
      const known = [...slis.keys()];
      p.add(doc, ['spec', 'indicatorRef'], `no SLI document named ${quote(spec.indicatorRef)} in the input${known.length ? ` (SLIs: ${known.map(displayName).join(', ')})` : ''}`);
    }
  } else p.add(doc, ['spec'], 'needs indicator (an inline SLI) or indicatorRef (the name of an SLI document)');

  if (!indicator) return undefined;
  const issuesBefore = p.issues.length;
  const queries = readRatioMetric(p, warnings, indicator);
  if (indicator.doc !== doc) {
    // Problems inside a referenced SLI: say which SLO uses it.
    for (let i = issuesBefore; i < p.issues.length; i++) p.issues[i] = { ...p.issues[i]!, message: `${p.issues[i]!.message} (used by SLO ${typeof name === 'string' ? displayName(name) : quote(name ?? null)})` };
  }
  return queries;
}

/** Supported-shape checks of one SLO document; returns the imported SLO or undefined. */
function readSlo(
  p: Problems,
  warnings: string[],
  doc: Doc,
  slis: ReadonlyMap<string, Indicator>,
): { slo: ImportedSlo; origin: Record<string, { doc: Doc; path: ConfigPath }> } | undefined {
  const v = doc.value as Obj;
  const name = get(v.metadata, 'name');
  const before = p.issues.length;
  if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 63) {
    p.add(doc, ['metadata', 'name'], `expected a DNS label (lower-case letters, digits and "-", at most 63 characters), found ${quote(name ?? null)}`);
  }
  const spec = v.spec;
  if (!isObj(spec)) {
    p.add(doc, ['spec'], 'expected the SLO spec (a mapping)');
    return undefined;
  }

  // budgetingMethod
  if (spec.budgetingMethod !== 'Occurrences') {
    const method = spec.budgetingMethod;
    p.add(
      doc,
      ['spec', 'budgetingMethod'],
      method === 'Timeslices' || method === 'RatioTimeslices'
        ? `budgetingMethod ${method} is not supported: linkerd-slo counts events (Occurrences); time-slice budgets would need per-slice recording rules and burn-rate alerts do not apply to them`
        : `expected budgetingMethod Occurrences (the only supported method), found ${quote(method ?? null)}`,
    );
  }

  const period = readTimeWindow(p, doc, spec);

  const { objective, objectivePath } = readObjective(p, doc, spec);

  // alertPolicies: not expressible as MWMB; keep our windows.
  if (Array.isArray(spec.alertPolicies) && spec.alertPolicies.length) {
    warnings.push(
      `${doc.file}: ${doc.label}: spec.alertPolicies ignored: OpenSLO alert conditions have one lookback window; ` +
        'linkerd-slo alerts this SLO with its multiwindow, multi-burn-rate table (alerting.windows)',
    );
  }

  const queries = readIndicator(p, warnings, doc, spec, name, slis);
  if (p.issues.length > before || objective === undefined || period === undefined || !queries || typeof name !== 'string') return undefined;
  const description = typeof spec.description === 'string' ? spec.description : typeof get(v.metadata, 'displayName') === 'string' ? String(get(v.metadata, 'displayName')) : undefined;
  return {
    slo: {
      name,
      // Carried as written: the config schema rejects control characters and more than 1050 characters
      // (OpenSLO's own limit), pointed back at this field.
      ...(description ? { description } : {}),
      objective,
      period,
      ...(queries.errors !== undefined ? { errors: queries.errors } : {}),
      ...(queries.good !== undefined ? { good: queries.good } : {}),
      total: queries.total,
    },
    origin: {
      ...queries.origin,
      name: { doc, path: ['metadata', 'name'] },
      ...(description ? { description: { doc, path: typeof spec.description === 'string' ? ['spec', 'description'] : ['metadata', 'displayName'] } } : {}),
      objective: { doc, path: objectivePath },
      period: { doc, path: ['spec', 'timeWindow', 0, 'duration'] },
    },
  };
}

export interface ImportOptions {
  readonly cluster: string;
}

/** Convert OpenSLO v1 files into a linkerd-slo config; throws OpenSloImportError listing every problem. */
export function importOpenSlo(sources: readonly OpenSloSource[], options: ImportOptions): ImportResult {
  const p = new Problems();
  const warnings: string[] = [];
  const docs = sources.flatMap((s) => {
    const parseIssues: OpenSloIssue[] = [];
    const d = readDocuments(s, parseIssues);
    p.issues.push(...parseIssues);
    return d;
  });

  const slis = new Map<string, Indicator>();
  const slos: Doc[] = [];
  for (const doc of docs) {
    const v = doc.value;
    if (!isObj(v)) {
      p.add(doc, [], 'expected an OpenSLO document (a mapping with apiVersion, kind, metadata and spec)');
      continue;
    }
    if (v.apiVersion !== OPENSLO_API_VERSION) {
      p.add(doc, ['apiVersion'], `apiVersion ${quote(v.apiVersion ?? null)} is not supported; only ${OPENSLO_API_VERSION}`);
      continue;
    }
    if (v.kind === 'SLO') slos.push(doc);
    else if (v.kind === 'SLI') {
      const name = get(v.metadata, 'name');
      if (typeof name !== 'string') p.add(doc, ['metadata', 'name'], 'an SLI document needs metadata.name (SLOs refer to it by indicatorRef)');
      else if (slis.has(name)) p.add(doc, ['metadata', 'name'], `duplicate SLI name ${quote(name)} (also ${slis.get(name)!.doc.file}: ${slis.get(name)!.doc.label})`);
      else slis.set(name, { doc, specPath: ['spec'], spec: v.spec, name });
    } else if ((IGNORED_KINDS as readonly unknown[]).includes(v.kind)) {
      warnings.push(
        `${doc.file}: ${doc.label}: ignored` +
          (v.kind === 'AlertPolicy' || v.kind === 'AlertCondition' || v.kind === 'AlertNotificationTarget'
            ? ': OpenSLO alert conditions have one lookback window and cannot express multiwindow, multi-burn-rate alerts; the imported SLOs are alerted by alerting.windows (defaults: SRE Workbook 1h/5m and 6h/30m pages, 1d/2h and 3d/6h tickets); route with alerting.severities and Alertmanager'
            : ': only SLO and SLI documents carry what linkerd-slo needs'),
      );
    } else {
      p.add(doc, ['kind'], `unknown kind ${quote(v.kind ?? null)}; expected SLO, SLI, ${IGNORED_KINDS.join(', ')}`);
    }
  }

  const imported: Array<{ slo: ImportedSlo; origin: Record<string, { doc: Doc; path: ConfigPath }> }> = [];
  const names = new Map<string, Doc>();
  for (const doc of slos) {
    const r = readSlo(p, warnings, doc, slis);
    if (!r) continue;
    const other = names.get(r.slo.name);
    if (other) {
      p.add(doc, ['metadata', 'name'], `duplicate SLO name "${r.slo.name}" (also ${other.file}: ${other.label})`);
      continue;
    }
    names.set(r.slo.name, doc);
    imported.push(r);
  }
  if (p.issues.length) throw new OpenSloImportError(p.issues);
  if (imported.length === 0) {
    throw new OpenSloImportError([{ file: sources.map((s) => s.file).join(', '), path: [], message: 'no SLO documents found (kind: SLO, apiVersion: openslo/v1)' }]);
  }

  const config: ConfigInput = { cluster: options.cluster, slos: { custom: imported.map((i) => ({ ...i.slo })) } };
  // Our own checks (e.g. an objective so low no burn-rate alert could fire), pointed back at the OpenSLO field.
  try {
    validateConfig(config, '(imported config)');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const mapped: OpenSloIssue[] = err.issues.map((issue) => {
      const [a, b, index, field] = issue.path;
      if (a === 'cluster') return { file: '--cluster', path: [], message: issue.message };
      if (a === 'slos' && b === 'custom' && typeof index === 'number' && typeof field === 'string') {
        const origin = imported[index]?.origin[field];
        if (origin) {
          const pos = origin.doc.locate(origin.path);
          return { file: origin.doc.file, document: origin.doc.label, path: origin.path, line: pos?.line, column: pos?.column, message: issue.message };
        }
      }
      return { file: '(imported config)', path: issue.path, message: issue.message };
    });
    throw new OpenSloImportError(mapped);
  }

  return { config, slos: imported.map((i) => i.slo), warnings, yaml: importedYaml(config, sources, warnings) };
}

function importedYaml(config: ConfigInput, sources: readonly OpenSloSource[], warnings: readonly string[]): string {
  const header = [
    `# linkerd-slo config imported from OpenSLO v1 (${sources.map((s) => s.file).join(', ')}) by \`linkerd-slo import-openslo\`.`,
    '#',
    '# Alerting: OpenSLO cannot express multiwindow, multi-burn-rate alerts (an AlertCondition has one',
    '# lookback window), so the imported SLOs are alerted by this config\'s alerting.windows, here the defaults:',
    ...DEFAULT_WINDOWS.map((w) => `#   ${w.severity} when ${formatNumber(w.budgetConsumed)}% of the budget burns within ${w.long} (confirmed over ${w.short})`),
    '# Set alerting.windows to change them. Each SLO also gets an absent-metrics ticket on its total selector.',
    '# The built-in Linkerd control-plane SLOs stay enabled (defaults); disable them under slos if unwanted.',
    ...(warnings.length ? ['#', '# Import warnings:', ...warnings.map((w) => `#   ${w}`)] : []),
  ];
  // Every header line is a comment: file names and warnings (which quote document fields) cannot end it.
  return `${header.map(commentText).join('\n')}\n${dump(config, { lineWidth: -1, noRefs: true, quotingType: '"' })}`;
}
