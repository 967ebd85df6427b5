/**
 * The preview's Grafana semantics, on tables of cases worked out by hand from Grafana's documented
 * rules (not from the code under test):
 *  - $__interval = roundInterval(range / maxDataPoints), at least the minimum interval (the panel's
 *    `interval`, else the data source's scrape interval); roundInterval from grafana/grafana
 *    `packages/grafana-data/src/datetime/rangeutil.ts`;
 *  - step = $__interval, but at most 11,000 points per series (Prometheus' limit);
 *  - $__rate_interval = max($__interval + scrape interval, 4 × scrape interval)
 *    (https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/);
 *  - multi-value and All values as Grafana's Prometheus data source interpolates them.
 * And the text panels' Markdown is sanitised.
 */
import { describe, expect, it } from 'vitest';
import { durationText, interpolate, intervals, resolveVariable, roundIntervalMs } from '../src/preview/variables.js';
import { validatePromQL } from '../src/promql/validate.js';
import { parseSelector } from '../src/promql/parse.js';
import { linkResolver, renderMarkdown } from '../src/preview/markdown.js';
import { formatValue, thresholdColor } from '../src/preview/format.js';

describe('Grafana intervals', () => {
  // [case, range s, maxDataPoints, scrape s, panel min interval s, $__interval, step, $__rate_interval]
  const cases: Array<[string, number, number, number, number | undefined, string, number, string]> = [
    ['6h over 800 px, 15s scrape: 27 s rounds to 30s', 21600, 800, 15, undefined, '30s', 30, '1m'],
    ['1h over 1600 px: 2.25 s rounds to 2s, raised to the 15s scrape interval', 3600, 1600, 15, undefined, '15s', 15, '1m'],
    ['1h over 100 points, 30s scrape: 36 s rounds to 30s; 4 × 30s wins', 3600, 100, 30, undefined, '30s', 30, '2m'],
    ['7d over 1000 points: 604.8 s rounds to 10m; 10m + 15s wins', 604800, 1000, 15, undefined, '10m', 600, '615s'],
    ["the panel's interval 1m is the minimum", 3600, 1600, 15, 60, '1m', 60, '75s'],
    ['30d over 200 points: 3.6 h rounds to 3h', 2592000, 200, 15, undefined, '3h', 10800, '10815s'],
    ['1d at 1s: step raised to keep 11,000 points at most (86400 / 11000 → 8 s)', 86400, 100000, 1, undefined, '1s', 8, '9s'],
  ];
  it.each(cases)('%s', (_, range, mdp, scrape, min, interval, step, rate) => {
    const iv = intervals({ rangeSeconds: range, maxDataPoints: mdp, scrapeIntervalSeconds: scrape, ...(min !== undefined ? { panelMinIntervalSeconds: min } : {}) });
    expect(durationText(iv.intervalSeconds)).toBe(interval);
    expect(iv.stepSeconds).toBe(step);
    expect(durationText(iv.rateIntervalSeconds)).toBe(rate);
    expect(iv.rangeSeconds).toBe(range);
  });

  it("roundInterval's bands (upper bounds inclusive)", () => {
    expect([10, 11, 1500, 1501, 45000, 45001, 90000, 5400000, 172800000, 604800000, 604800001, 3628800000].map(roundIntervalMs)).toEqual([
      1, 10, 1000, 2000, 30000, 60000, 60000, 3600000, 86400000, 86400000, 604800000, 31536000000,
    ]);
  });
});

describe('dashboard variables', () => {
  const query = { type: 'query', name: 'cluster' } as const;
  it('a single-value variable keeps its saved value when the query still finds it', () => {
    expect(resolveVariable({ ...query, current: { value: 'prod-eu1' } }, ['a', 'prod-eu1'])).toEqual({ name: 'cluster', display: 'prod-eu1', text: 'prod-eu1', value: 'prod-eu1' });
  });
  it('a saved value the query no longer finds falls back to the first value', () => {
    expect(resolveVariable({ ...query, current: { value: 'gone' } }, ['b', 'c'])).toEqual({ name: 'cluster', display: 'b', text: 'b', value: 'b' });
  });
  it('All with an allValue substitutes the allValue as it is', () => {
    expect(resolveVariable({ ...query, multi: true, includeAll: true, allValue: '.+', current: { value: ['$__all'] } }, ['a', 'b'])).toEqual({ name: 'cluster', display: 'All', text: '.+', value: '.+' });
  });
  it('All without an allValue is the alternation of every value, regex-escaped', () => {
    expect(resolveVariable({ ...query, multi: true, includeAll: true, current: { value: '$__all' } }, ['eu.1', 'us-2']).text).toBe('(eu\\\\.1|us-2)');
  });
  it('several chosen values of a multi-value variable become an alternation', () => {
    expect(resolveVariable({ ...query, multi: true, current: { value: ['b', 'c'] } }, ['a', 'b', 'c'])).toEqual({ name: 'cluster', display: 'b + c', text: '(b|c)', value: '(b|c)' });
  });
  it('a custom variable chooses among its own list', () => {
    expect(resolveVariable({ type: 'custom', name: 'q', current: { value: 'y' } }, ['x', 'y']).text).toBe('y');
  });
  it('interpolates $name, ${name}, ${name:fmt} and [[name]]; unknown names stay', () => {
    const values = new Map([
      ['cluster', 'prod'],
      ['__rate_interval', '1m'],
    ]);
    expect(interpolate('rate(x{cluster="$cluster", a="${cluster}", b="${cluster:regex}", c="[[cluster]]"}[$__rate_interval]) $nope', values)).toBe(
      'rate(x{cluster="prod", a="prod", b="prod", c="prod"}[1m]) $nope',
    );
  });

  // A label_values answer is Prometheus data: it must stay one string, whatever it holds.
  const HOSTILE = 'a"} or vector(1337) or absent(x{y="';
  const hostileQueries = (v: ReturnType<typeof resolveVariable>) =>
    ['sum(rate(x{cluster=~"$cluster"}[5m]))', "sum(rate(x{cluster='$cluster'}[5m]))", 'sum(x{cluster=`$cluster`})'].map((q) => {
      try {
        return interpolate(q, new Map([['cluster', v.value]]));
      } catch (err) {
        return (err as Error).message;
      }
    });
  it('a hostile label value stays the content of its string literal (single, multi and All values)', () => {
    for (const v of [
      resolveVariable({ ...query, current: { value: 'gone' } }, [HOSTILE]),
      resolveVariable({ ...query, multi: true, current: { value: [HOSTILE] } }, [HOSTILE]),
      resolveVariable({ ...query, multi: true, includeAll: true, current: { value: '$__all' } }, [HOSTILE, 'b']),
    ]) {
      const [doubleQuoted, singleQuoted, raw] = hostileQueries(v);
      for (const q of [doubleQuoted!, singleQuoted!]) {
        expect(validatePromQL(q), q).toEqual([]);
        // One selector, one matcher: what Prometheus reads back is exactly the value, nothing else.
        let sel;
        try {
          sel = parseSelector(q.replace(/^sum\(rate\((.*)\[5m\]\)\)$/, '$1'));
        } catch (err) {
          // A single value is not regex-escaped (Grafana does not either): the one string literal is an
          // invalid RE2 regex, which Prometheus refuses as a whole; nothing of it became PromQL syntax.
          expect((err as Error).message).toMatch(/^the regular expression of cluster=~ is not one Prometheus accepts \(RE2 syntax\)/);
          continue;
        }
        expect(sel.matchers.map((m) => m.value)).toEqual([v.value]);
      }
      expect(raw).toMatch(/^variable \$cluster: its value contains a backtick|^sum\(x\{cluster=`/);
    }
  });
  it('a value is refused where it would stand outside a string', () => {
    expect(() => interpolate('x > $n', new Map([['n', '1 or vector(1)']]))).toThrow(/outside a quoted string/);
    expect(interpolate('x > $n', new Map([['n', '0.5']]))).toBe('x > 0.5');
  });
  it('ordinary values give the query text Grafana sends', () => {
    // Grafana's prometheusSpecialRegexEscape worked by hand, as query text: a backslash becomes four, ' becomes \\', a metacharacter c becomes \\c.
    const q = 'sum(x{cluster=~"$cluster"})';
    const sent = (v: ReturnType<typeof resolveVariable>) => interpolate(q, new Map([['cluster', v.value]]));
    const all = { ...query, multi: true, includeAll: true, current: { value: '$__all' } };
    expect(sent(resolveVariable(all, ['eu.1', 'us-2']))).toBe(String.raw`sum(x{cluster=~"(eu\\.1|us-2)"})`);
    expect(sent(resolveVariable(all, ["o'brien", 'a\\b', 'x|y']))).toBe(String.raw`sum(x{cluster=~"(o\\'brien|a\\\\b|x\\|y)"})`);
    expect(sent(resolveVariable({ ...query, multi: true, current: { value: ['x|y'] } }, ['x|y']))).toBe(String.raw`sum(x{cluster=~"x\\|y"})`);
    expect(sent(resolveVariable({ ...query, current: { value: 'prod' } }, ['prod']))).toBe('sum(x{cluster=~"prod"})');
  });
});

describe('text panels and values', () => {
  const resolve = linkResolver(new Set(['uid-a']));
  it('escapes HTML and keeps only http(s) links and rendered dashboards', () => {
    const html = renderMarkdown('**b** <script>alert(1)</script>\n\n- [x](javascript:void)\n- [y](data:text/html,hi)\n- [a](/d/uid-a?orgId=1)\n- [o](/d/other)\n- [g](https://grafana.com/docs/)', resolve);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).toContain("<li>x</li><li>y</li>");
    expect(html).toContain('<a href="uid-a.html">a</a>');
    expect(html).toContain('<li>o</li>');
    expect(html).toContain('<a href="https://grafana.com/docs/" target="_blank" rel="noopener noreferrer">g</a>');
    expect(html).toContain('<strong>b</strong>');
  });
  it("formats Grafana's units", () => {
    expect(formatValue(0.99912, 'percentunit', 2)).toBe('99.91%');
    expect(formatValue(1536, 'bytes', 1)).toBe('1.5 KiB');
    expect(formatValue(2 * 86400, 's', 1)).toBe('2.0 day');
    expect(formatValue(250, 'ms', 0)).toBe('250 ms');
    expect(formatValue(12.5, 'reqps', 1)).toBe('12.5 req/s');
    expect(formatValue(0.004, 'suffix: cores', 3)).toBe('0.004 cores');
    expect(formatValue(NaN, 'none', undefined)).toBe('No data');
  });
  it('takes the colour of the highest threshold step at or below the value', () => {
    const steps = [
      { color: 'red', value: null },
      { color: 'orange', value: 3600 },
      { color: 'green', value: 21600 },
    ];
    expect([0, 3599, 3600, 21599, 1e9].map((v) => thresholdColor(v, steps))).toEqual(['red', 'red', 'orange', 'orange', 'green']);
  });
});

describe('page layout of a dashboard', () => {
  it('draws a collapsed row collapsed, without its panels, and places panels on the 24-column grid', async () => {
    const { renderDashboardPage } = await import('../src/preview/render.js');
    const { linkResolver: resolver } = await import('../src/preview/markdown.js');
    const hidden = { id: 3, type: 'stat', title: 'Inside the collapsed row', gridPos: { x: 0, y: 2, w: 24, h: 4 } };
    const shown = { id: 2, type: 'text', title: 'Half', gridPos: { x: 12, y: 1, w: 12, h: 3 }, options: { mode: 'markdown', content: '<b>x</b>' } };
    const row = { id: 1, type: 'row', title: 'Details', collapsed: true, gridPos: { x: 0, y: 4, w: 24, h: 1 }, panels: [hidden] };
    const html = renderDashboardPage(
      { file: 'grafana/t.json', dashboard: { uid: 't', title: 'T', panels: [shown, row] }, variables: [], panels: new Map() },
      { resolve: resolver(new Set()), prometheusUrl: 'http://prometheus:9090', from: 0, to: 3600, scrapeIntervalSeconds: 15, generator: 'test' },
    );
    expect(html).toMatch(/data-type="row"[^>]*data-state="collapsed"/);
    expect(html).toContain('(1 panel)');
    expect(html).not.toContain('Inside the collapsed row');
    // x 12 of 24 columns is half the width; y 1 is one 30 px row plus its 8 px gap down.
    expect(html).toMatch(/id="panel-2"[^>]*style="left:50\.0000%;width:calc\(50\.0000% - 8px\);top:38px;height:106px"/);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
