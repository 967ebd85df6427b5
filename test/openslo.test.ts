/**
 * OpenSLO v1 import and export: a realistic multi-document file, one clear error per unsupported
 * feature (naming file, document and field), export → import round trip, and the CLI commands.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { importOpenSlo, OpenSloImportError } from '../src/openslo/import.js';
import { exportOpenSlo } from '../src/openslo/export.js';
import { parseYamlConfig, validateConfig } from '../src/config/load.js';
import { parseSelector } from '../src/promql/parse.js';
import { buildContext } from '../src/generate.js';
import { custom as customKind } from '../src/slo/custom/index.js';
import { isAlert } from '../src/rules.js';
import type { Config } from '../src/config/schema.js';
import { thrown } from './support/errors.js';
import { appProxy, httpOutcome, inboundLabels, outboundLabels, series, type Labels } from './support/linkerd-series.js';
import { requirePromtool, testRules } from './support/promtool.js';

/** The custom kind's rules alone (the rest of the bundle is other kinds' business). */
const customAlerts = (config: Config) => customKind.build(buildContext(config)).ruleGroups.flatMap((g) => g.rules).filter(isAlert);

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EXAMPLE = join(ROOT, 'examples', 'linkerd-slo.yaml');

/** What a team exporting from an OpenSLO-based tool typically has: service, data source, SLI, SLOs, alerting. */
const CHECKOUT = `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  description: Checkout API
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus.monitoring:9090
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: prometheus
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="checkout", code=~"5.."}[5m]))
    total:
      metricSource:
        metricSourceRef: prometheus
        type: Prometheus
        spec:
          query: http_requests_total{job="checkout"}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  description: 99.9% of checkout requests succeed over 30 days.
  service: checkout
  indicatorRef: checkout-errors
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      targetPercent: 99.9
  alertPolicies:
    - checkout-fast-burn
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: cart-grpc
spec:
  service: checkout
  indicator:
    metadata:
      name: cart-grpc-ok
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: grpc_server_handled_total{grpc_service="cart.Cart", grpc_code="OK"}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: grpc_server_handled_total{grpc_service="cart.Cart"}
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.995
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: checkout-fast-burn
spec:
  conditions:
    - conditionRef: fast-burn
`;

const importOf = (text: string, file = 'checkout.openslo.yaml') => importOpenSlo([{ file, text }], { cluster: 'prod-eu1' });

const importError = (text: string, file = 'slo.yaml'): OpenSloImportError => thrown(OpenSloImportError, () => importOf(text, file));

describe('import-openslo', () => {
  it('imports SLO documents with indicatorRef and inline indicators into slos.custom', () => {
    const r = importOf(CHECKOUT);
    expect(r.slos).toEqual([
      {
        name: 'checkout-availability',
        description: '99.9% of checkout requests succeed over 30 days.',
        objective: 99.9,
        period: '30d',
        errors: 'http_requests_total{job="checkout", code=~"5.."}',
        total: 'http_requests_total{job="checkout"}',
      },
      {
        name: 'cart-grpc',
        objective: 99.5,
        period: '4w',
        good: 'grpc_server_handled_total{grpc_service="cart.Cart", grpc_code="OK"}',
        total: 'grpc_server_handled_total{grpc_service="cart.Cart"}',
      },
    ]);
    // The YAML is a valid config that generates burn-rate alerts for both (unlike Sloth's importer).
    const config = parseYamlConfig(r.yaml, 'imported.yaml');
    expect(config.cluster).toBe('prod-eu1');
    expect(config.alerting.windows).toHaveLength(4);
    const alerts = customAlerts(config).filter((a) => a.alert === 'LinkerdCustomSLOErrorBudgetBurn');
    expect(alerts).toHaveLength(8);
    expect(r.yaml).toMatch(/^# linkerd-slo config imported from OpenSLO v1 \(checkout\.openslo\.yaml\)/);
    expect(r.yaml).toContain('# Alerting: OpenSLO cannot express multiwindow, multi-burn-rate alerts');
    expect(r.yaml).toContain('#   page when 2% of the budget burns within 1h (confirmed over 5m)');
  });

  it('warns about what it ignores and what it stripped', () => {
    const w = importOf(CHECKOUT).warnings.join('\n');
    expect(w).toContain('checkout.openslo.yaml: document 1 (Service checkout): ignored');
    expect(w).toContain('document 2 (DataSource prometheus): ignored');
    expect(w).toMatch(/document 6 \(AlertPolicy checkout-fast-burn\): ignored: OpenSLO alert conditions have one lookback window .* alerting\.windows/);
    expect(w).toContain('document 4 (SLO checkout-availability): spec.alertPolicies ignored');
    expect(w).toContain('document 3 (SLI checkout-errors): spec.ratioMetric.bad.metricSource.spec.query: stripped sum(rate(…)) to the counter selector');
  });

  const slo = (patch: { spec?: string; indicator?: string; top?: string } = {}) => `apiVersion: ${patch.top ?? 'openslo/v1'}
kind: SLO
metadata:
  name: api
spec:
  service: api
  indicator:
    metadata:
      name: api-sli
    spec:
${patch.indicator ?? `      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="api", code=~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="api"}`}
${patch.spec ?? `  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9`}
`;
  const windowAnd = (rest: string) => `  timeWindow:\n    - duration: 30d\n      isRolling: true\n${rest}`;

  it('the baseline document imports', () => {
    expect(importOf(slo()).slos).toHaveLength(1);
  });

  it.each([
    ['Timeslices budgeting', slo({ spec: windowAnd('  budgetingMethod: Timeslices\n  objectives:\n    - targetPercent: 99.9\n      timeSliceTarget: 0.95\n      timeSliceWindow: 1m') }),
      'slo.yaml:26:20: document 1 (SLO api): spec.budgetingMethod: budgetingMethod Timeslices is not supported'],
    ['a calendar window', slo({ spec: '  timeWindow:\n    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: 2024-01-01 00:00:00\n        timeZone: UTC\n  budgetingMethod: Occurrences\n  objectives:\n    - targetPercent: 99.9' }),
      'document 1 (SLO api): spec.timeWindow[0].calendar: calendar-aligned windows are not supported'],
    ['a non-rolling window', slo({ spec: '  timeWindow:\n    - duration: 30d\n      isRolling: false\n  budgetingMethod: Occurrences\n  objectives:\n    - targetPercent: 99.9' }),
      'document 1 (SLO api): spec.timeWindow[0].isRolling: only rolling windows are supported'],
    ['a month-long duration', slo({ spec: '  timeWindow:\n    - duration: 1M\n      isRolling: true\n  budgetingMethod: Occurrences\n  objectives:\n    - targetPercent: 99.9' }),
      'document 1 (SLO api): spec.timeWindow[0].duration: 1M: months, quarters and years have no fixed length'],
    ['several objectives', slo({ spec: windowAnd('  budgetingMethod: Occurrences\n  objectives:\n    - targetPercent: 99\n    - targetPercent: 99.9') }),
      'document 1 (SLO api): spec.objectives: 2 objectives: linkerd-slo supports one objective per SLO'],
    ['a threshold objective', slo({ spec: windowAnd('  budgetingMethod: Occurrences\n  objectives:\n    - op: lte\n      value: 200\n      target: 0.99') }),
      'document 1 (SLO api): spec.objectives[0].op: op belongs to thresholdMetric objectives'],
    ['a thresholdMetric SLI', slo({ indicator: '      thresholdMetric:\n        metricSource:\n          type: Prometheus\n          spec:\n            query: histogram_quantile(0.99, x)' }),
      'document 1 (SLO api): spec.indicator.spec.thresholdMetric: thresholdMetric SLIs are not supported'],
    ['a raw ratio', slo({ indicator: '      ratioMetric:\n        counter: true\n        rawType: success\n        raw:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: x' }),
      'document 1 (SLO api): spec.indicator.spec.ratioMetric.raw: raw (precomputed ratio) metrics are not supported'],
    ['a gauge ratio', slo({ indicator: '      ratioMetric:\n        counter: false\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: a\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: b' }),
      'document 1 (SLO api): spec.indicator.spec.ratioMetric.counter: counter must be true'],
    ['another data source', slo({ indicator: '      ratioMetric:\n        counter: true\n        good:\n          metricSource:\n            type: Datadog\n            spec:\n              query: sum:requests.ok{*}\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: b' }),
      'document 1 (SLO api): spec.indicator.spec.ratioMetric.good.metricSource.type: metric source type "Datadog" is not supported'],
    ['a grouped query', slo({ indicator: '      ratioMetric:\n        counter: true\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: sum by (route) (rate(a_total[5m]))\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: b_total' }),
      'document 1 (SLO api): spec.indicator.spec.ratioMetric.good.metricSource.spec.query: "by (route)" groups the ratio'],
    ['an arithmetic query', slo({ indicator: '      ratioMetric:\n        counter: true\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: a_total - b_total\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: b_total' }),
      'spec.indicator.spec.ratioMetric.good.metricSource.spec.query: expected a counter selector, optionally inside rate() and sum(), found a binary expression (a_total - b_total)'],
    ['an older apiVersion', slo({ top: 'openslo/v1alpha' }), 'slo.yaml:1:13: document 1 (SLO api): apiVersion: apiVersion "openslo/v1alpha" is not supported; only openslo/v1'],
    ['an objective no burn-rate alert can fire for', slo({ spec: windowAnd('  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9') }),
      'document 1 (SLO api): spec.objectives[0].target: objective 90% means the page alert for 1h/5m could never fire'],
  ])('%s is a clear error naming the file, document and field', (_what, text, expected) => {
    const err = importError(text);
    expect(err.message).toContain(expected);
    expect(err.message).toMatch(/^slo\.yaml:\d+:\d+: document 1 \(SLO api\): /);
  });

  it('problems in a referenced SLI name the SLI document and the SLO that uses it; every problem is reported', () => {
    const text = CHECKOUT.replace('counter: true', 'counter: false').replace('budgetingMethod: Occurrences', 'budgetingMethod: RatioTimeslices');
    const err = importError(text, 'checkout.yaml');
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/^checkout\.yaml:\d+:\d+: document 4 \(SLO checkout-availability\): spec\.budgetingMethod: budgetingMethod RatioTimeslices is not supported/),
      expect.stringMatching(/^checkout\.yaml:23:14: document 3 \(SLI checkout-errors\): spec\.ratioMetric\.counter: counter must be true.*\(used by SLO checkout-availability\)$/),
    ]);
  });

  it('a dangling indicatorRef and a missing SLO are errors', () => {
    const err = importError(CHECKOUT.replace('indicatorRef: checkout-errors', 'indicatorRef: checkout-errs'));
    expect(err.message).toContain('document 4 (SLO checkout-availability): spec.indicatorRef: no SLI document named "checkout-errs" in the input (SLIs: checkout-errors)');
    expect(importError('apiVersion: openslo/v1\nkind: Service\nmetadata: {name: x}\n').message).toContain('no SLO documents found');
  });
});

describe('export-openslo', () => {
  const custom = [
    { name: 'checkout-availability', description: 'Checkout works.', objective: 99.9, period: '30d', errors: 'http_requests_total{job="checkout",code=~"5.."}', total: 'http_requests_total{job="checkout"}' },
    { name: 'cart-grpc', objective: 99.5, period: '28d', good: 'grpc_server_handled_total{grpc_service="cart.Cart",grpc_code="OK"}', total: 'grpc_server_handled_total{grpc_service="cart.Cart"}' },
    { name: 'odd-values', objective: 99, period: '7d', errors: 'x_total{path="/a\\"b\\\\c",le=~"1(\\\\.0)?"}', total: 'x_total' },
  ];

  it('writes deterministic OpenSLO v1 SLO documents with inline ratioMetric SLIs', () => {
    const config = validateConfig({ cluster: 'prod-eu1', slos: { custom } }, 'c.yaml');
    const text = exportOpenSlo(config, 'c.yaml');
    expect(exportOpenSlo(config, 'c.yaml')).toBe(text);
    const docs = loadAll(text) as Array<{ apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }>;
    expect(docs.every((d) => d.apiVersion === 'openslo/v1' && d.kind === 'SLO')).toBe(true);
    expect(docs.map((d) => d.metadata.name)).toEqual([
      'control-plane-success-rate-server-destination', 'control-plane-success-rate-server-policy', 'control-plane-success-rate-server-identity',
      'control-plane-success-rate-client-destination', 'control-plane-success-rate-client-policy', 'control-plane-success-rate-client-identity',
      'control-plane-latency-identity',
      'checkout-availability', 'cart-grpc', 'odd-values',
    ]);
    const checkout = docs.find((d) => d.metadata.name === 'checkout-availability')!;
    expect(checkout.spec).toMatchObject({
      timeWindow: [{ duration: '30d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ targetPercent: 99.9 }],
      indicator: { spec: { ratioMetric: { counter: true, bad: { metricSource: { type: 'Prometheus', spec: { query: 'http_requests_total{job="checkout", code=~"5.."}' } } } } } },
    });
    const latency = docs.find((d) => d.metadata.name === 'control-plane-latency-identity')!;
    expect(JSON.stringify(latency.spec)).toContain('le=~\\"1000(\\\\\\\\.0)?\\"');
    expect(text).toMatch(/^# OpenSLO v1 SLOs of cluster prod-eu1, exported by linkerd-slo from c\.yaml\.\n# Not expressible in OpenSLO/);
  });

  it('round trip: export → import gives the same custom SLOs (selectors, objective, period)', () => {
    const config = validateConfig({ cluster: 'prod-eu1', slos: { custom } }, 'c.yaml');
    const back = importOf(exportOpenSlo(config, 'c.yaml'));
    for (const original of custom) {
      const imported = back.slos.find((s) => s.name === original.name)!;
      expect(imported.objective).toBe(original.objective);
      expect(imported.period).toBe(original.period);
      for (const field of ['errors', 'good', 'total'] as const) {
        const a = (original as { errors?: string; good?: string; total: string })[field];
        const b = imported[field];
        expect(b === undefined ? undefined : parseSelector(b), `${original.name}.${field}`).toEqual(a === undefined ? undefined : parseSelector(a));
      }
    }
    // The built-in SLOs come back as custom ones, and the imported config builds their alerts.
    expect(back.slos.map((s) => s.name)).toContain('control-plane-latency-identity');
    const alerts = customAlerts(parseYamlConfig(back.yaml, 'back.yaml'));
    expect(new Set(alerts.map((a) => a.labels.slo)).size).toBe(back.slos.length);
  });
});

/**
 * Workload and route SLOs in the export: the documents' queries are run by the real promtool over
 * series shaped like a real linkerd-proxy scrape (target labels of the linkerd-proxy job, the
 * proxy's inbound/outbound labels, Gateway API route labels of linkerd/linkerd2-proxy
 * `linkerd/app/outbound/src/metrics.rs` at release/v2.246.0), so a query that picks the wrong
 * direction, workload, bucket or status gives the wrong rate.
 */
describe('export-openslo: workload and route SLOs', () => {
  const CLUSTER = { cluster: 'eu1' };
  const config = validateConfig(
    {
      cluster: 'eu1',
      linkerd: { version: '2.18' },
      prometheus: { extraMatchers: CLUSTER },
      slos: {
        controlPlaneSuccessRate: { enabled: false },
        controlPlaneLatency: { enabled: false },
        workloads: {
          list: [
            { namespace: 'emojivoto', deployment: 'web' },
            { namespace: 'emojivoto', deployment: 'voting', class: 'LOW' },
            { namespace: 'shop', selector: { app: 'worker' }, name: 'worker', class: 'CRITICAL' },
          ],
          routes: [{ namespace: 'shop', service: 'orders', route: 'create-order' }],
        },
      },
    },
    'w.yaml',
  );
  type Doc = { metadata: { name: string }; spec: { service: string; objectives: Array<{ targetPercent: number }>; indicator: { spec: { ratioMetric: Record<string, { metricSource: { spec: { query: string } } }> } } } };
  const docs = () => loadAll(exportOpenSlo(config, 'w.yaml')) as Doc[];
  const queriesOf = (d: Doc) => Object.fromEntries(Object.entries(d.spec.indicator.spec.ratioMetric).filter(([k]) => k !== 'counter').map(([k, v]) => [k, v.metricSource.spec.query]));

  it('one document per workload and SLI (the class decides which), one per route, with the class objectives', () => {
    const byName = new Map(docs().map((d) => [d.metadata.name, d]));
    expect([...byName.keys()]).toEqual([
      'workload-success-rate-emojivoto-deployment-web',
      'workload-latency-emojivoto-deployment-web',
      'workload-success-rate-emojivoto-deployment-voting', // LOW has no latency objective
      'workload-success-rate-shop-workload-worker',
      'workload-latency-shop-workload-worker',
      'route-success-rate-http-shop-orders-shop-create-order',
    ]);
    // SRE Workbook Table 5-10: HIGH_FAST 99.9 / 99, LOW 99, CRITICAL 99.99 / 99.
    const objective = (name: string) => byName.get(name)!.spec.objectives[0]!.targetPercent;
    expect(['workload-success-rate-emojivoto-deployment-web', 'workload-latency-emojivoto-deployment-web', 'workload-success-rate-emojivoto-deployment-voting', 'workload-success-rate-shop-workload-worker', 'route-success-rate-http-shop-orders-shop-create-order'].map(objective))
      .toEqual([99.9, 99, 99, 99.99, 99.9]);
    expect(byName.get('route-success-rate-http-shop-orders-shop-create-order')!.spec.service).toBe('orders');
  });

  it('long names stay DNS labels (import-openslo accepts them) and distinct', () => {
    const long = 'a'.repeat(60);
    const c = validateConfig({ cluster: 'eu1', slos: { workloads: { list: [{ namespace: 'shop', deployment: `${long}-1` }, { namespace: 'shop', deployment: `${long}-2` }] } } }, 'w.yaml');
    const names = (loadAll(exportOpenSlo(c, 'w.yaml')) as Doc[]).map((d) => d.metadata.name).filter((n) => n.startsWith('workload-'));
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });

  it('the exported queries select exactly the workload\'s inbound (or the route\'s) series: promtool over real-shaped series', () => {
    requirePromtool();
    const web = { ...appProxy(), ...CLUSTER };
    const emoji = { ...appProxy({ namespace: 'emojivoto', pod: 'emoji-7c9f8d6b5-abcde', ip: '10.42.1.10', owner: { deployment: 'emoji' } }), ...CLUSTER };
    const voting = { ...appProxy({ namespace: 'emojivoto', pod: 'voting-5d4c3b2a1-fghij', ip: '10.42.1.11', owner: { deployment: 'voting' } }), ...CLUSTER };
    const worker = { ...appProxy({ namespace: 'shop', pod: 'worker-v2-6f5e4d3c2-klmno', ip: '10.42.2.5', owner: { deployment: 'worker-v2' } }), app: 'worker', ...CLUSTER };
    const otherCluster = { ...appProxy(), cluster: 'us1' };
    const inbound = (ip: string) => inboundLabels('2.18', { ip, port: 8080 }, { serviceAccount: 'web', namespace: 'emojivoto' });
    const toEmoji = outboundLabels('2.18', { service: 'emoji-svc', namespace: 'emojivoto', deployment: 'emoji', ip: '10.42.1.10', port: 8080, serviceAccount: 'emoji' });
    const response = (target: Labels, ip: string, outcome: 'success' | 'failure') => series('response_total', { ...target, ...inbound(ip), ...httpOutcome(outcome) });
    const bucket = (target: Labels, ip: string, le: string) => series('response_latency_ms_bucket', { ...target, ...inbound(ip), status_code: '200', le });
    const route = (status: Labels) =>
      series('outbound_http_route_request_statuses_total', {
        ...web, parent_group: 'core', parent_kind: 'Service', parent_namespace: 'shop', parent_name: 'orders', parent_port: '8080', parent_section_name: '',
        route_group: 'gateway.networking.k8s.io', route_kind: 'HTTPRoute', route_namespace: 'shop', route_name: 'create-order', hostname: '', ...status,
      });
    const perMinute = (n: number) => `0+${n}x10`;
    const input_series = [
      // web: 60 successes and 6 failures a minute inbound; its own outbound failures and another cluster's web do not count.
      { series: response(web, '10.42.1.9', 'success'), values: perMinute(60) },
      { series: response(web, '10.42.1.9', 'failure'), values: perMinute(6) },
      { series: series('response_total', { ...web, ...toEmoji, ...httpOutcome('failure') }), values: perMinute(600) },
      { series: response(otherCluster, '10.42.1.9', 'failure'), values: perMinute(600) },
      // web latency: 54 of 66 responses a minute within 200 ms (Linkerd renders integer bounds).
      { series: bucket(web, '10.42.1.9', '100'), values: perMinute(30) },
      { series: bucket(web, '10.42.1.9', '200'), values: perMinute(54) },
      { series: bucket(web, '10.42.1.9', '+Inf'), values: perMinute(66) },
      // emoji, not configured, and voting: 12 failures of 120.
      { series: response(emoji, '10.42.1.10', 'failure'), values: perMinute(300) },
      { series: response(voting, '10.42.1.11', 'success'), values: perMinute(108) },
      { series: response(voting, '10.42.1.11', 'failure'), values: perMinute(12) },
      // the selector workload (pod label app=worker): 3 failures of 30.
      { series: response(worker, '10.42.2.5', 'success'), values: perMinute(27) },
      { series: response(worker, '10.42.2.5', 'failure'), values: perMinute(3) },
      { series: bucket(worker, '10.42.2.5', '200'), values: perMinute(24) },
      { series: bucket(worker, '10.42.2.5', '+Inf'), values: perMinute(30) },
      // the route, seen by its caller web: 48 ok, 6 5xx, 6 timeouts a minute.
      { series: route({ http_status: '200', error: '' }), values: perMinute(48) },
      { series: route({ http_status: '503', error: '' }), values: perMinute(6) },
      { series: route({ http_status: '', error: 'RESPONSE_HEADERS_TIMEOUT' }), values: perMinute(6) },
    ];
    // Per second over 5m of steady counters: n a minute → n/60.
    const expected: Record<string, Record<string, number>> = {
      'workload-success-rate-emojivoto-deployment-web': { bad: 0.1, total: 1.1 },
      'workload-latency-emojivoto-deployment-web': { good: 0.9, total: 1.1 },
      'workload-success-rate-emojivoto-deployment-voting': { bad: 0.2, total: 2 },
      'workload-success-rate-shop-workload-worker': { bad: 0.05, total: 0.5 },
      'workload-latency-shop-workload-worker': { good: 0.4, total: 0.5 },
      'route-success-rate-http-shop-orders-shop-create-order': { good: 0.8, total: 1 },
    };
    const exported = docs();
    expect(exported.map((d) => d.metadata.name).sort()).toEqual(Object.keys(expected).sort());
    const RECORD = 'openslo_export:events:rate5m';
    const rules = exported.flatMap((d) =>
      Object.entries(queriesOf(d)).map(([event, query]) => ({ record: RECORD, expr: `sum(rate(${query}[5m]))`, labels: { slo: d.metadata.name, event } })),
    );
    const ruleFile = dump({ groups: [{ name: 'openslo-export', rules }] }, { lineWidth: -1 });
    const r = testRules(ruleFile, {
      tests: [{
        interval: '1m',
        input_series,
        promql_expr_test: Object.entries(expected).flatMap(([slo, events]) =>
          Object.entries(events).map(([event, value]) => ({
            expr: `${RECORD}{slo="${slo}", event="${event}"}`,
            eval_time: '10m',
            exp_samples: [{ labels: `${RECORD}{slo="${slo}", event="${event}"}`, value }],
          })),
        ),
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('round trip: the exported workload and route SLOs import as custom SLOs with the same selectors, objective and period', () => {
    const exported = docs();
    const back = importOf(exportOpenSlo(config, 'w.yaml'));
    expect(back.slos.map((s) => s.name)).toEqual(exported.map((d) => d.metadata.name));
    for (const d of exported) {
      const imported = back.slos.find((s) => s.name === d.metadata.name)!;
      expect(imported.objective).toBe(d.spec.objectives[0]!.targetPercent);
      expect(imported.period).toBe('30d');
      const q = queriesOf(d);
      expect(parseSelector(imported.total)).toEqual(parseSelector(q.total!));
      if (q.bad) expect(parseSelector(imported.errors!)).toEqual(parseSelector(q.bad));
      else expect(parseSelector(imported.good!)).toEqual(parseSelector(q.good!));
    }
  });
});

describe('CLI (node dist/cli.js)', () => {
  const cli = (args: string[], cwd = ROOT) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const tmp = () => mkdtempSync(join(tmpdir(), 'linkerd-slo-openslo-'));
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npx tsc -p .` (npm test does)');
  });

  it('import-openslo writes a config that loads; export-openslo --out → import-openslo round-trips', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'checkout.yaml'), CHECKOUT);
    const r = cli(['import-openslo', 'checkout.yaml', '--cluster', 'prod-eu1', '--out', 'linkerd-slo.yaml'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote linkerd-slo.yaml: 2 custom SLO(s): checkout-availability, cart-grpc');
    expect(r.stderr).toContain('warning: checkout.yaml: document 6 (AlertPolicy checkout-fast-burn): ignored');
    const written = parseYamlConfig(readFileSync(join(dir, 'linkerd-slo.yaml'), 'utf8'), 'linkerd-slo.yaml');
    expect(written.slos.custom.map((s) => s.name)).toEqual(['checkout-availability', 'cart-grpc']);

    const exported = cli(['export-openslo', '--config', EXAMPLE, '--out', join(dir, 'exported.yaml')]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^wrote .*exported\.yaml: \d+ OpenSLO SLO documents/);
    expect(readFileSync(join(dir, 'exported.yaml'), 'utf8')).toContain('apiVersion: openslo/v1');
    // Re-import in process (one node start fewer): the exported file imports cleanly.
    const back = importOpenSlo([{ file: 'exported.yaml', text: readFileSync(join(dir, 'exported.yaml'), 'utf8') }], { cluster: 'prod-eu1' });
    expect(back.yaml).toContain('name: control-plane-success-rate-server-destination');
  });

  it('an unsupported feature exits 2, names document and field, and writes nothing', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'checkout.yaml'), CHECKOUT.replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices'));
    const r = cli(['import-openslo', 'checkout.yaml', '--cluster', 'prod-eu1', '--out', 'out.yaml'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/checkout\.yaml:\d+:\d+: document 4 \(SLO checkout-availability\): spec\.budgetingMethod: budgetingMethod Timeslices is not supported/);
    expect(r.stderr).toContain('nothing was written');
    expect(existsSync(join(dir, 'out.yaml'))).toBe(false);
    const missing = cli(['import-openslo', 'nope.yaml', '--cluster', 'x'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: (top level): cannot read OpenSLO file: file not found');
  });
});
