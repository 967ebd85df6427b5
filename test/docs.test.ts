import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { CONFIGURATION_PAGE, configurationPage, SLO_KINDS_PAGE, sloKindsPage } from '../src/docs.js';
import { ConfigSchema } from '../src/config/schema.js';
import { buildContext } from '../src/generate.js';
import { isAlert } from '../src/rules.js';
import { KINDS } from '../src/slo/registry.js';
import { allOptionsConfig } from './support/kinds.js';

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const CONFIGURATION = readFileSync(join(ROOT, CONFIGURATION_PAGE), 'utf8');

/** Rows of the configuration page: key path → [type, default] cells, as a reader sees them. */
function referenceRows(page: string): Map<string, { type: string; default: string }> {
  const rows = new Map<string, { type: string; default: string }>();
  for (const line of page.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const key = /^`([^`]+)`( \(required\))?$/.exec(cells[1] ?? '');
    if (line.startsWith('| `') && key?.[1]) rows.set(key[1], { type: cells[2] ?? '', default: cells[3] ?? '' });
  }
  return rows;
}

/** Every leaf of a value, as `a.b[].c` paths (arrays of objects are walked element by element). */
function leafPaths(value: unknown, path: string, out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
    out.set(path, value);
    for (const element of value) leafPaths(element, `${path}[]`, out);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leafPaths(v, `${path}.${k}`, out);
  } else {
    out.set(path, value);
  }
  return out;
}

describe('docs/configuration.md', () => {
  it('is generated from the schema and up to date (npm run docs)', () => {
    expect(CONFIGURATION).toBe(configurationPage());
  });

  // The defaults come from parsing a minimal config with the zod schema, not from the page's own
  // generator, so a section, a field or a default the page leaves out or gets wrong fails here.
  const defaults = ConfigSchema.parse({ cluster: 'docs' }) as { slos: Record<string, unknown> };
  const rows = referenceRows(CONFIGURATION);
  const kinds = Object.keys(defaults.slos);

  it('has a section for every SLO kind', () => {
    expect(kinds.length).toBeGreaterThanOrEqual(7);
    for (const kind of kinds) expect(CONFIGURATION, `section slos.${kind}`).toContain(`\n## slos.${kind}\n`);
  });

  it.each(kinds)('lists every field of slos.%s with its default', (kind) => {
    const fields = [...leafPaths(defaults.slos[kind], `slos.${kind}`)].filter(([path]) => path !== `slos.${kind}`);
    if (Array.isArray(defaults.slos[kind])) {
      // A list kind (custom) has no default fields: its element's keys must be listed instead.
      expect([...rows.keys()].filter((p) => p.startsWith(`slos.${kind}[].`)).length).toBeGreaterThan(0);
    } else {
      expect(fields.length).toBeGreaterThan(0);
    }
    for (const [path, value] of fields) {
      const row = rows.get(path.replace(/\[\]$/, ''));
      expect(row, `row for ${path}`).toBeDefined();
      if (path.endsWith('[]') || path.includes('[].')) continue; // element fields: the list row carries the default
      const json = JSON.stringify(value);
      if (row!.default === 'see below') expect(CONFIGURATION, `default of ${path}`).toContain(`**\`${path}\`**`);
      else expect(row!.default, `default of ${path}`).toBe(`\`${json}\``);
    }
  });

  it('documents every key the example configs use', () => {
    for (const file of ['examples/linkerd-slo.yaml', 'examples/multi-cluster.yaml']) {
      const config = loadYaml(readFileSync(join(ROOT, file), 'utf8'));
      const paths = [...leafPaths(config, '').keys()].map((p) =>
        p
          .replace(/^\./, '')
          // Overrides take the top level's keys; the page documents them once, at the top level.
          .replace(/^clusters\[\]\.overrides\./, ''),
      );
      for (const path of paths) {
        const prefixes = path.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
        // A key inside a map (extraMatchers.cluster, a request class of your own) is documented by the map's row.
        const documented = prefixes.some(
          (p) => (rows.has(p) && (p === path || rows.get(p)!.type.startsWith('map of'))) || (p === path && CONFIGURATION.includes(`\n## ${p}\n`)),
        );
        expect(documented, `${file}: ${path}`).toBe(true);
      }
    }
  });

  it('keeps table cells short (long text goes under the table)', () => {
    for (const line of CONFIGURATION.split('\n').filter((l) => l.startsWith('| `'))) {
      const [, key, , , description] = line.split(/(?<!\\)\|/);
      expect(description!.trim().length, `description cell of ${key}`).toBeLessThanOrEqual(110);
    }
  });
});

describe('docs/slo-kinds.md', () => {
  const page = readFileSync(join(ROOT, SLO_KINDS_PAGE), 'utf8');
  /** Table rows of the page: the kind's heading anchor → the alert names of its row. */
  const tableRows = new Map(
    page
      .split('\n')
      .filter((l) => /^\| \[[^\]]+\]\(#/.test(l))
      .map((l) => [/\(#([^)]+)\)/.exec(l)![1]!, new Set([...(l.split(' | ').at(-1) ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]!))] as const),
  );

  it('is put together from src/slo/README.md and each kind folder\'s README.md, and up to date (npm run docs)', async () => {
    expect(page).toBe(await sloKindsPage(ROOT));
  });

  it('has a table row and a section for every registered kind, in registry order', () => {
    const anchors = [...tableRows.keys()];
    expect(anchors).toHaveLength(KINDS.length);
    // Row i is KINDS[i]: it links that kind's config section.
    const rowLines = page.split('\n').filter((l) => /^\| \[[^\]]+\]\(#/.test(l));
    // A panel-only kind (no config section, e.g. mesh) has no configuration link.
    KINDS.forEach((kind, i) =>
      kind.config
        ? expect(rowLines[i], kind.id).toContain(`(configuration.md#slos${kind.config.key.toLowerCase()})`)
        : expect(rowLines[i], kind.id).not.toContain('configuration.md#'),
    );
    // Every row's anchor is a section of the page, and the sections follow the rows' order.
    const anchorOf = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const sections = [...page.matchAll(/^## (.+)$/gm)].map((m) => anchorOf(m[1]!));
    expect(sections.filter((a) => tableRows.has(a))).toEqual(anchors);
  });

  it('each kind\'s row lists every alert its rules raise with every source and option on', () => {
    // Every kind's all-options section (its config.ts, ConfigSection.examples), assembled from the registry.
    const config = allOptionsConfig(KINDS, { linkerd: { version: '2.18' } });
    const ctx = buildContext(config);
    const rows = [...tableRows.values()];
    KINDS.forEach((kind, i) => {
      if (!kind.config) {
        // A panel-only kind: never enabled, it raises nothing and its row lists no alert.
        expect(kind.enabled(config), kind.id).toBe(false);
        expect(kind.build(ctx).ruleGroups, kind.id).toEqual([]);
        expect([...rows[i]!], kind.id).toEqual([]);
        return;
      }
      expect(kind.enabled(config), kind.id).toBe(true);
      const raised = new Set(kind.build(ctx).ruleGroups.flatMap((g) => g.rules).filter(isAlert).map((r) => r.alert));
      expect(raised.size, kind.id).toBeGreaterThan(0);
      for (const alert of raised) expect(rows[i], `${kind.id}: ${alert}`).toContain(alert);
    });
  });
});

describe('README and docs/', () => {
  it('the README starts with the two commands of a fresh machine', () => {
    const firstScreen = README.split('\n').slice(0, 15).join('\n');
    expect(firstScreen).toContain('npm ci && npm run generate');
    expect(firstScreen).toContain('npm test');
  });

  it('the README is a front door of at most 15 KB', () => {
    expect(Buffer.byteLength(README, 'utf8')).toBeLessThanOrEqual(15_000);
  });

  /** GitHub's heading anchors: lower case, punctuation but `-` and `_` dropped, spaces become `-`. */
  const anchorsOf = (markdown: string) =>
    new Set(
      withoutCode(markdown)
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) =>
          l
            .replace(/^#+ /, '')
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, '')
            .replace(/ /g, '-'),
        ),
    );
  const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');

  // The kinds' pages beside their code (src/slo/README.md, src/slo/<kind>/README.md) are read on GitHub too.
  const kindReadmes = ['src/slo/README.md', ...readdirSync(join(ROOT, 'src/slo'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'src/slo', d.name, 'README.md')))
    .map((d) => `src/slo/${d.name}/README.md`)];
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), ...kindReadmes];

  it('has the reference pages the README promises', () => {
    for (const page of ['configuration', 'slo-kinds', 'loading', 'multi-cluster', 'check', 'openslo', 'benchmarks', 'architecture', 'grafana']) {
      expect(pages, page).toContain(`docs/${page}.md`);
    }
  });

  it.each(pages)('every relative link in %s points to an existing file and heading', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const links = [...withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    const relative = links.filter((l) => !/^[a-z]+:/i.test(l));
    for (const link of relative) {
      const [path, fragment] = link.split('#');
      const target = path ? resolve(dirname(join(ROOT, page)), path) : join(ROOT, page);
      expect(existsSync(target), `${page}: ${link}`).toBe(true);
      if (fragment && target.endsWith('.md') && statSync(target).isFile()) {
        expect(anchorsOf(readFileSync(target, 'utf8')).has(fragment), `${page}: ${link} (no such heading)`).toBe(true);
      }
    }
  });

  it('cites public sources, not the reference folder outside the repository', () => {
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      expect(text, page).not.toMatch(/§\s*\d|shared\/reference|linkerd-metrics\.md|tooling\.md|slo-prior-art\.md/);
    }
  });
});
