/**
 * Workload SLOs, proven by the real promtool on synthetic series shaped like meshed workloads'
 * proxies: response_total / response_latency_ms_bucket with the labels the linkerd-proxy job adds
 * (namespace, pod, deployment|statefulset|daemonset: linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18) and the inbound or
 * outbound endpoint labels (linkerd/linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` at release/v2.138.0, v2.161.0, v2.294.0), and the 2.16+ outbound route metrics (linkerd/linkerd2-proxy `linkerd/app/outbound/src/http/logical/policy/route/metrics/labels.rs` at release/v2.246.0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { validateConfig } from '../../config/load.js';
import { ConfigError } from '../../config/errors.js';
import { generate } from '../../generate.js';
import type { ConfigInput } from '../../config/schema.js';
import { PROXY_LATENCY_BUCKETS_MS } from '../../../test/support/linkerd-series.js';
import { checkRules, counter, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, generated as generatedBundle, ruleFileOf } from '../../../test/support/bundle.js';

const BURN = 'LinkerdWorkloadErrorBudgetBurn';
const LATENCY_BURN = 'LinkerdWorkloadLatencyBudgetBurn';
const ABSENT = 'LinkerdWorkloadMetricsAbsent';
const ROUTE_BURN = 'LinkerdRouteErrorBudgetBurn';

type Slos = NonNullable<ConfigInput['slos']>;
type Workloads = NonNullable<Slos['workloads']>;

const generated = (workloads: Workloads, overrides: Partial<ConfigInput> = {}) =>
  generatedBundle({ cluster: 'test', ...overrides, slos: { ...DEFAULT_KINDS_OFF, workloads } }, 't.yaml');
const rulesOf = (gen: ReturnType<typeof generated>) => ruleFileOf(gen);
const rulesFor = (workloads: Workloads, overrides: Partial<ConfigInput> = {}) => rulesOf(generated(workloads, overrides));

/** Config items of the workloads below; (emojivoto, api) matches the namespace × name regexes but is never configured. */
const ITEM = {
  web: { namespace: 'emojivoto', deployment: 'web' },
  shopWeb: { namespace: 'shop', deployment: 'web' },
  shopApi: { namespace: 'shop', deployment: 'api' },
  pg: { namespace: 'db', statefulset: 'pg', class: 'CRITICAL' },
  render: { namespace: 'reports', deployment: 'render', class: 'HIGH_SLOW' },
  collector: { namespace: 'batch', daemonset: 'collector', class: 'LOW' },
  cart: { namespace: 'shop', selector: { app: 'cart' }, name: 'cart', class: 'LOW' },
} as const;
const LIST: Workloads['list'] = Object.values(ITEM).map((i) => ({ ...i }));
/** Only the success-rate SLO of these classes: small rule files keep promtool fast. */
const successRateOnly = (...classes: string[]): Workloads['classes'] => Object.fromEntries(classes.map((c) => [c, { latency: { enabled: false } }]));

interface Wl { readonly ns: string; readonly kind: string; readonly name: string }
const wl = (ns: string, kind: string, name: string): Wl => ({ ns, kind, name });
const WEB = wl('emojivoto', 'deployment', 'web');
const SHOP_WEB = wl('shop', 'deployment', 'web');
const SHOP_API = wl('shop', 'deployment', 'api');
const EMOJI_API = wl('emojivoto', 'deployment', 'api'); // not configured
const PG = wl('db', 'statefulset', 'pg');
const RENDER = wl('reports', 'deployment', 'render');
const COLLECTOR = wl('batch', 'daemonset', 'collector');
const CART = wl('shop', 'app', 'cart'); // label-selector workload: pod label app=cart
const CONFIGURED = [WEB, SHOP_WEB, SHOP_API, PG, RENDER, COLLECTOR, CART];

/** Target labels of one pod of the workload, as the linkerd-proxy job produces them (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18). */
const pod = (w: Wl) =>
  `job="linkerd-proxy", namespace="${w.ns}", pod="${w.name}-6b8f7c9d4-x2x9z", ${w.kind}="${w.name}", pod_template_hash="6b8f7c9d4", control_plane_ns="linkerd"`;

const inboundLabels = `direction="inbound", target_addr="10.0.0.9:8080", target_ip="10.0.0.9", target_port="8080", tls="true", ` +
  `client_id="default.shop.serviceaccount.identity.linkerd.cluster.local", srv_kind="default", srv_name="all-unauthenticated"`;
const outboundLabels = `direction="outbound", authority="api.shop.svc.cluster.local:8080", target_addr="10.0.1.3:8080", target_ip="10.0.1.3", ` +
  `target_port="8080", tls="true", server_id="default.shop.serviceaccount.identity.linkerd.cluster.local", dst_namespace="shop", dst_deployment="api", dst_service="api"`;

type Phase = readonly [minutes: number, ok: number, failed: number];

/** response_total of one workload's pod: successes (200) and failures (500), inbound unless told. */
function responses(w: Wl, phases: readonly Phase[], direction: 'inbound' | 'outbound' = 'inbound') {
  const endpoint = direction === 'inbound' ? inboundLabels : outboundLabels;
  return [
    { series: `response_total{${pod(w)}, ${endpoint}, status_code="200", classification="success", grpc_status="", error=""}`, values: counter(phases.map(([m, ok]) => [m, ok])) },
    { series: `response_total{${pod(w)}, ${endpoint}, status_code="500", classification="failure", grpc_status="", error=""}`, values: counter(phases.map(([m, , f]) => [m, f])) },
  ];
}

/** Inbound response_latency_ms_bucket of one workload: every bucket, from requests per minute at each latency (ms). */
function latencies(w: Wl, phases: ReadonlyArray<readonly [number, Record<number, number>]>) {
  const bounds: Array<number | '+Inf'> = [...PROXY_LATENCY_BUCKETS_MS, '+Inf'];
  return bounds.map((le) => ({
    series: `response_latency_ms_bucket{${pod(w)}, ${inboundLabels}, status_code="200", le="${le}"}`,
    values: counter(phases.map(([m, perMs]) => [m, Object.entries(perMs).reduce((acc, [ms, n]) => (le === '+Inf' || Number(ms) <= le ? acc + n : acc), 0)])),
  }));
}

/** The proxy's own process metric: present while a pod of the workload is scraped. */
const scraped = (w: Wl, minutes: number) => ({ series: `process_start_time_seconds{${pod(w)}}`, values: `1700000000+0x${minutes}` });
const allScraped = (minutes: number, except: readonly Wl[] = []) => CONFIGURED.filter((w) => !except.includes(w)).map((w) => scraped(w, minutes));

const anyWorkloadAlert = 'count by (alertname) (ALERTS{alertstate="firing", slo=~"workload-.*"})';
const pages = (alert: string) => `count by (alertname, class, namespace, deployment, statefulset, daemonset, workload) (ALERTS{alertname="${alert}", alertstate="firing", severity="critical", long="1h"})`;
const page = (alert: string, labels: string) => [{ labels: `{alertname="${alert}", ${labels}}`, value: 1 }];

describe('workload SLOs under promtool', () => {
  beforeAll(requirePromtool);
  const rules = rulesFor({ list: LIST });

  it('the rules pass promtool check rules --lint-fatal, also with extra matchers, rule labels and routes', () => {
    for (const r of [
      rules,
      rulesFor(
        { list: LIST, routes: [{ namespace: 'shop', service: 'api', route: 'checkout' }, { namespace: 'shop', service: 'orders', route: 'get', protocol: 'grpc' }] },
        { prometheus: { extraMatchers: { cluster: 'prod' }, ruleLabels: { team: 'platform' } } },
      ),
    ]) {
      const out = checkRules(r);
      expect(out.ok, out.output).toBe(true);
    }
  });

  it('inbound failures of a deployment page for it alone: the same name in another namespace and unconfigured pairs stay separate', () => {
    const r = testRules(rulesFor({ list: [ITEM.web, ITEM.shopWeb, ITEM.shopApi], classes: successRateOnly('HIGH_FAST') }), {
      tests: [{
        interval: '1m',
        input_series: [
          ...responses(WEB, [[20, 600, 0], [20, 300, 300]]),
          ...responses(SHOP_WEB, [[40, 600, 0]]),
          // Matches namespace=~"emojivoto|shop", deployment=~"api|web" but is not in the list: must not be recorded.
          ...responses(EMOJI_API, [[40, 0, 600]]),
          ...allScraped(40),
        ],
        promql_expr_test: [
          { expr: anyWorkloadAlert, eval_time: '19m', exp_samples: [] },
          { expr: pages(BURN), eval_time: '30m', exp_samples: page(BURN, 'class="HIGH_FAST", namespace="emojivoto", deployment="web"') },
          {
            expr: 'linkerd_slo:sli_error:ratio_rate5m{slo="workload-success-rate", deployment="web"}',
            eval_time: '30m',
            exp_samples: [
              { labels: 'linkerd_slo:sli_error:ratio_rate5m{slo="workload-success-rate", sli="server", class="HIGH_FAST", component="deployment", namespace="emojivoto", deployment="web"}', value: 0.5 },
              { labels: 'linkerd_slo:sli_error:ratio_rate5m{slo="workload-success-rate", sli="server", class="HIGH_FAST", component="deployment", namespace="shop", deployment="web"}', value: 0 },
            ],
          },
          { expr: 'linkerd_slo:sli_requests:rate5m{namespace="emojivoto", deployment="api"}', eval_time: '30m', exp_samples: [] },
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  const outboundFailures = (direction: 'inbound' | 'outbound') =>
    testRules(rulesFor({ list: [ITEM.web], classes: successRateOnly('HIGH_FAST') }), {
      tests: [{
        interval: '1m',
        input_series: [...responses(WEB, [[40, 600, 0]]), ...responses(WEB, [[40, 0, 600]], direction).slice(1), ...allScraped(40)],
        promql_expr_test: [
          { expr: anyWorkloadAlert, eval_time: '30m', exp_samples: [] },
          {
            expr: 'linkerd_slo:sli_error:ratio_rate1h{slo="workload-success-rate", namespace="emojivoto", deployment="web"}',
            eval_time: '30m',
            exp_samples: [{ labels: 'linkerd_slo:sli_error:ratio_rate1h{slo="workload-success-rate", sli="server", class="HIGH_FAST", component="deployment", namespace="emojivoto", deployment="web"}', value: 0 }],
          },
        ],
      }],
    });

  it('failures of the same pod\'s outbound calls do not count (inbound and outbound are never summed); the same series marked inbound would page', () => {
    const outbound = outboundFailures('outbound');
    expect(outbound.ok, outbound.output).toBe(true);
    const control = outboundFailures('inbound');
    expect(control.ok).toBe(false);
    expect(control.output).toMatch(/exp: nil\s*got: \{alertname="LinkerdWorkloadErrorBudgetBurn"/);
  });

  const halfPercent = (criticalObjective?: number) =>
    testRules(rulesFor({
      list: [ITEM.web, ITEM.pg],
      classes: { ...successRateOnly('HIGH_FAST', 'CRITICAL'), ...(criticalObjective ? { CRITICAL: { successRate: { objective: criticalObjective }, latency: { enabled: false } } } : {}) },
    }), {
      tests: [{
        interval: '1m',
        input_series: [...responses(WEB, [[40, 597, 3]]), ...responses(PG, [[40, 597, 3]]), ...allScraped(40)],
        promql_expr_test: [{ expr: pages(BURN), eval_time: '30m', exp_samples: page(BURN, 'class="CRITICAL", namespace="db", statefulset="pg"') }],
      }],
    });

  it('request-class defaults apply: 0.5% failures page a CRITICAL (99.99%) statefulset but not a HIGH_FAST (99.9%) deployment', () => {
    const r = halfPercent();
    expect(r.ok, r.output).toBe(true);
    // It is the class objective that pages: at 99% CRITICAL would not.
    const relaxed = halfPercent(99);
    expect(relaxed.ok).toBe(false);
    expect(relaxed.output).toMatch(/exp: \{alertname="LinkerdWorkloadErrorBudgetBurn", class="CRITICAL"[^}]*\} 1E\+00\s*got: nil/);
  });

  // Latency SLOs only: the blind-workload ticket then comes from the latency rules.
  const slowResponses = (fastThresholdMs?: number) =>
    testRules(rulesFor({
      list: [ITEM.web, ITEM.render],
      classes: {
        HIGH_FAST: { successRate: { enabled: false }, ...(fastThresholdMs ? { latency: { thresholdMs: fastThresholdMs } } : {}) },
        HIGH_SLOW: { successRate: { enabled: false } },
      },
    }), {
      tests: [{
        interval: '1m',
        input_series: [
          ...latencies(WEB, [[20, { 20: 600 }], [20, { 20: 300, 300: 300 }]]),
          ...latencies(RENDER, [[20, { 20: 600 }], [20, { 20: 300, 300: 300 }]]),
          ...allScraped(40),
        ],
        promql_expr_test: [
          { expr: anyWorkloadAlert, eval_time: '19m', exp_samples: [] },
          // With a 1% budget the 1h ratio passes 14.4 × 1% after ~8 minutes at 50% slow, then `for: 2m`.
          { expr: pages(LATENCY_BURN), eval_time: '36m', exp_samples: page(LATENCY_BURN, 'class="HIGH_FAST", namespace="emojivoto", deployment="web"') },
        ],
      }],
    });

  it('the class latency threshold applies: half the responses at 300 ms page HIGH_FAST (200 ms), not HIGH_SLOW (5000 ms)', () => {
    const r = slowResponses();
    expect(r.ok, r.output).toBe(true);
    const raised = slowResponses(500);
    expect(raised.ok).toBe(false);
    expect(raised.output).toMatch(/exp: \{alertname="LinkerdWorkloadLatencyBudgetBurn"[^}]*\} 1E\+00\s*got: nil/);
  });

  const quiet = (minRequests?: number) =>
    testRules(rulesFor({ list: [ITEM.web], classes: successRateOnly('HIGH_FAST') }, minRequests === undefined ? {} : { alerting: { lowTraffic: { minRequests } } }), {
      tests: [{
        interval: '1m',
        // One request a minute, half of them failing: under 60 requests in any hour.
        input_series: [...responses(WEB, [[40, 0.5, 0.5]]), ...allScraped(40)],
        promql_expr_test: [{ expr: anyWorkloadAlert, eval_time: '30m', exp_samples: [] }],
      }],
    });

  it('low traffic does not page (60 requests an hour, guard 100), and it is the guard that keeps it quiet', () => {
    const guarded = quiet();
    expect(guarded.ok, guarded.output).toBe(true);
    const unguarded = quiet(0);
    expect(unguarded.ok).toBe(false);
    expect(unguarded.output).toMatch(/got: \{alertname="LinkerdWorkloadErrorBudgetBurn"/);
  });

  it('a label-selector workload pages under its own name (workload label) and class', () => {
    const r = testRules(rulesFor({ list: [ITEM.cart, ITEM.collector] }), {
      tests: [{
        interval: '1m',
        input_series: [...responses(CART, [[20, 600, 0], [20, 300, 300]]), ...allScraped(40)],
        // LOW (99%): the 1h ratio passes 14.4 × 1% after ~8 minutes at 50% failures, then `for: 2m`.
        promql_expr_test: [{ expr: pages(BURN), eval_time: '36m', exp_samples: page(BURN, 'class="LOW", namespace="shop", workload="cart"') }],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a workload without a scraped proxy raises the absent ticket for that workload only', () => {
    const r = testRules(rulesFor({ list: [ITEM.web, ITEM.shopWeb, ITEM.pg, ITEM.cart], classes: successRateOnly('HIGH_FAST', 'CRITICAL') }), {
      tests: [{
        interval: '1m',
        input_series: [...responses(WEB, [[30, 600, 0]]), ...allScraped(30, [SHOP_WEB, CART])],
        promql_expr_test: [
          { expr: `count by (namespace, deployment, workload) (ALERTS{alertname="${ABSENT}", alertstate="firing"})`, eval_time: '8m', exp_samples: [] },
          {
            expr: `count by (namespace, deployment, workload, severity) (ALERTS{alertname="${ABSENT}", alertstate="firing"})`,
            eval_time: '20m',
            exp_samples: [
              { labels: '{namespace="shop", deployment="web", severity="warning"}', value: 1 },
              { labels: '{namespace="shop", workload="cart", severity="warning"}', value: 1 },
            ],
          },
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('route SLOs (2.16+ outbound route metrics): proxy errors on an HTTP route page; gRPC NOT_FOUND is not a failure', () => {
    const routes: Workloads['routes'] = [
      { namespace: 'shop', service: 'api', route: 'checkout' },
      { namespace: 'shop', service: 'orders', route: 'get-order', protocol: 'grpc', class: 'CRITICAL' },
    ];
    const route = (caller: Wl, proto: string, service: string, name: string, status: string) =>
      `outbound_${proto}_route_request_statuses_total{${pod(caller)}, parent_group="core", parent_kind="Service", parent_namespace="shop", parent_name="${service}", ` +
      `parent_port="8080", parent_section_name="", route_group="gateway.networking.k8s.io", route_kind="${proto === 'http' ? 'HTTPRoute' : 'GRPCRoute'}", ` +
      `route_namespace="shop", route_name="${name}", hostname="", ${status}}`;
    const r = testRules(rulesFor({ routes }), {
      tests: [{
        interval: '1m',
        input_series: [
          ...[WEB, SHOP_WEB].flatMap((caller) => [
            { series: route(caller, 'http', 'api', 'checkout', 'http_status="200", error=""'), values: counter([[20, 300], [20, 150]]) },
            { series: route(caller, 'http', 'api', 'checkout', 'http_status="", error="RESPONSE_HEADERS_TIMEOUT"'), values: counter([[20, 0], [20, 150]]) },
            { series: route(caller, 'grpc', 'orders', 'get-order', 'grpc_status="OK", error=""'), values: counter([[40, 300]]) },
            { series: route(caller, 'grpc', 'orders', 'get-order', 'grpc_status="NOT_FOUND", error=""'), values: counter([[40, 300]]) },
          ]),
        ],
        promql_expr_test: [
          { expr: `count(ALERTS{alertname="${ROUTE_BURN}", alertstate="firing"})`, eval_time: '19m', exp_samples: [] },
          {
            expr: `count by (class, parent_namespace, parent_name, route_namespace, route_name) (ALERTS{alertname="${ROUTE_BURN}", alertstate="firing", long="1h"})`,
            eval_time: '30m',
            exp_samples: [{ labels: '{class="HIGH_FAST", parent_namespace="shop", parent_name="api", route_namespace="shop", route_name="checkout"}', value: 1 }],
          },
        ],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('the generated out/tests pass against the bundle, and fail when the page can no longer fire', () => {
    const gen = generated(
      { list: [ITEM.web, ITEM.shopApi, ITEM.cart], routes: [{ namespace: 'shop', service: 'api', route: 'checkout' }] },
      { prometheus: { extraMatchers: { cluster: 'prod' } } },
    );
    const bundleRules = rulesOf(gen);
    const tests = load(gen.files.get('tests/linkerd-slo-test.test.yaml')!) as { tests: Array<{ name: string }> };
    // One test per class and SLI.
    expect(tests.tests.map((t) => t.name.split(':')[0])).toEqual([
      'Workload success rate (HIGH_FAST)', 'Workload latency (HIGH_FAST, 200 ms)', 'Workload success rate (LOW)', 'Route success rate (HIGH_FAST)',
    ]);
    const ok = testRules(bundleRules, { tests: tests.tests });
    expect(ok.ok, ok.output).toBe(true);
    const broken = bundleRules.replaceAll('/ 0.001 > 14.4', '/ 0.001 > 1000');
    expect(broken).not.toBe(bundleRules);
    // Only the HIGH_FAST success-rate test reads `/ 0.001 > 14.4`.
    const r = testRules(broken, { tests: tests.tests.slice(0, 1) });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('long=\\"1h\\"');
  });
});

describe('workload SLO output and config', () => {
  it('with no workloads (the default) nothing is generated and existing bundles do not change', () => {
    const gen = generate(validateConfig({ cluster: 'test' }, 't.yaml'), 't.yaml');
    for (const [file, text] of gen.files) {
      if (file.startsWith('schema/')) continue;
      expect(text, file).not.toMatch(/workload_info|LinkerdWorkload|LinkerdRoute|workload-success-rate/);
    }
  });

  it('one alert tier inhibits slower tiers of the same workload only (Alertmanager equal labels)', () => {
    const gen = generated({ list: LIST, routes: [{ namespace: 'shop', service: 'api', route: 'checkout' }] }, { prometheus: { extraMatchers: { cluster: 'prod' } } });
    const inhibit = load(gen.files.get('alertmanager/linkerd-slo-test.inhibit-rules.yaml')!) as {
      inhibit_rules: Array<{ source_matchers: string[]; equal: string[] }>;
    };
    const equalOf = (alert: string) => inhibit.inhibit_rules.find((r) => r.source_matchers[0] === `alertname="${alert}"`)!.equal;
    expect(equalOf(BURN)).toEqual(['slo', 'sli', 'component', 'namespace', 'deployment', 'statefulset', 'daemonset', 'workload', 'cluster']);
    // LOW (the daemonset's and the selector workload's class) has no latency objective.
    expect(equalOf(LATENCY_BURN)).toEqual(['slo', 'sli', 'component', 'namespace', 'deployment', 'statefulset', 'cluster']);
    expect(equalOf(ROUTE_BURN)).toEqual(['slo', 'sli', 'component', 'parent_namespace', 'parent_name', 'route_namespace', 'route_name', 'cluster']);
  });

  it('writes a runbook per alert and workload rows on the SLO overview dashboard', () => {
    const gen = generated({ list: LIST, routes: [{ namespace: 'shop', service: 'api', route: 'checkout' }] });
    for (const alert of [BURN, LATENCY_BURN, ABSENT, ROUTE_BURN]) expect(gen.files.get(`runbooks/${alert}.md`), alert).toContain(`# ${alert}`);
    expect(gen.files.get(`runbooks/${BURN}.md`)).toContain('| CRITICAL | 99.99% | 99% ≤ 200 ms | 1 | 0 |');
    const rows = gen.outputs.flatMap((o) => o.dashboardRows).map((r) => `${r.dashboard}/${r.title}`);
    expect(rows).toEqual(['overview/Workload SLOs', 'overview/Workload SLO status', 'overview/Golden signals of workloads with SLOs']);
    const overview = [...gen.files.entries()].find(([f]) => /^grafana\/linkerd-slo-test\.json$/.test(f))?.[1] ?? '';
    expect(overview).toContain('Latency: p99 time to first byte');
  });

  function errorsOf(workloads: Workloads, overrides: Partial<ConfigInput> = {}): string[] {
    try {
      generated(workloads, overrides);
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw err;
    }
    return [];
  }

  it('rejects unknown classes, duplicates, ambiguous workloads, selector workloads without a name and clashing labels', () => {
    expect(errorsOf({ list: [{ namespace: 'a', deployment: 'web', class: 'HIGH_FAT' }] })).toEqual([
      'slos.workloads.list.0.class: unknown request class "HIGH_FAT"; classes: CRITICAL, HIGH_FAST, HIGH_SLOW, LOW',
    ]);
    expect(errorsOf({ list: [{ namespace: 'a', deployment: 'web' }, { namespace: 'a', deployment: 'web', class: 'LOW' }] })).toEqual([
      'slos.workloads.list.1: duplicate of list[0] (deployment a/web)',
    ]);
    expect(errorsOf({ list: [{ namespace: 'a', deployment: 'web', statefulset: 'web' }] })[0]).toContain('set exactly one of deployment, statefulset, daemonset or selector (got deployment, statefulset)');
    expect(errorsOf({ list: [{ namespace: 'a', selector: { app: 'x' } }] })[0]).toContain('slos.workloads.list.0.name: required with selector');
    expect(errorsOf({ list: [{ namespace: 'a', deployment: 'web' }] }, { prometheus: { ruleLabels: { namespace: 'x' } } })).toEqual([
      'prometheus.ruleLabels.namespace: label "namespace" identifies workloads/routes in the workload SLO rules; choose another name',
    ]);
  });

  it('checks class objectives and latency bounds, and route metrics need Linkerd 2.16', () => {
    const errs = errorsOf({ list: [{ namespace: 'a', deployment: 'web', class: 'SLOPPY' }], classes: { SLOPPY: { successRate: { objective: 90 }, latency: { enabled: true, thresholdMs: 150 } } } });
    expect(errs.some((e) => e.startsWith('slos.workloads.classes.SLOPPY.successRate.objective: objective 90% means the page alert for 1h/5m could never fire'))).toBe(true);
    expect(errs).toContain("slos.workloads.classes.SLOPPY.latency.thresholdMs: 150 ms is not a bucket bound of Linkerd's response_latency_ms histogram, so the share of faster responses cannot be read from it; the nearest bounds are 100 and 200 ms (bounds: 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000)");
    expect(errorsOf({ routes: [{ namespace: 'a', service: 'api', route: 'r' }] }, { linkerd: { version: '2.15' } })).toEqual([
      'slos.workloads.routes: route SLOs read outbound_http_route_request_statuses_total, which proxies expose from Linkerd 2.16; linkerd.version is 2.15',
    ]);
    // A custom class must state its success-rate objective.
    expect(errorsOf({ list: [{ namespace: 'a', deployment: 'web', class: 'MINE' }], classes: { MINE: { latency: { enabled: true } } } }).join('\n')).toContain('slos.workloads.classes.MINE.successRate');
  });

  it('rule count grows linearly with the workload list (one info rule per workload); generation time is reported', () => {
    // Every eighth a label-selector workload (the costly kind: one selector per workload in each rule of its class).
    const KINDS = ['deployment', 'statefulset', 'daemonset', 'deployment', 'statefulset', 'daemonset', 'deployment', 'selector'] as const;
    const list = (n: number): Workloads['list'] =>
      Array.from({ length: n }, (_, i) => {
        const kind = KINDS[i % 8]!;
        const cls = ['HIGH_FAST', 'CRITICAL'][i % 2]!;
        const namespace = `ns${i % 7}`;
        return kind === 'selector' ? { namespace, selector: { app: `app${i}` }, name: `sel${i}`, class: cls } : { namespace, [kind]: `w${i}`, class: cls };
      });
    const counts: Record<number, number> = {};
    for (const n of [10, 100, 1000]) {
      const start = performance.now();
      const gen = generated({ list: list(n) });
      const ms = performance.now() - start;
      counts[n] = gen.groups.reduce((acc, g) => acc + g.rules.length, 0);
      console.log(`workload SLOs: ${n} workloads → ${counts[n]} rules, ${(rulesOf(gen).length / 1024).toFixed(0)} KiB rule file, generated in ${ms.toFixed(0)} ms`);
    }
    const slope = (counts[1000]! - counts[100]!) / 900;
    expect((counts[100]! - counts[10]!) / 90).toBe(slope);
    expect(slope).toBe(1);
  });
});
