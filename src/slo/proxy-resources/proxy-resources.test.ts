/**
 * Proxy and control-plane resources, proven by the real promtool on synthetic series shaped like the
 * sources' own metrics: proxy process_* and request_total of job linkerd-proxy (linkerd/linkerd2-proxy `linkerd/app/core/src/metrics.rs` at release/v2.294.0;
 * linkerd/linkerd2-proxy `linkerd/metrics/src/process.rs` (2.15–2.17), kubert-prometheus-process (2.18+); labels: linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18), controller process_* with `component` (linkerd/linkerd2 `pkg/admin/admin.go`), cAdvisor container_* and
 * kube-state-metrics v2 kube_pod_container_* (optional source).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load.js';
import { generate } from '../../generate.js';
import type { ConfigInput } from '../../config/schema.js';
import { CLUSTER_LEVEL_RECORDS, PROXY_RESOURCES_RECORDINGS } from './names.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, firing, generated as generatedBundle, rows, ruleFileOf, rulesOf } from '../../../test/support/bundle.js';
import { kubeStateProxyContainer, series, type ProxyShape } from '../../../test/support/linkerd-series.js';

const OVER_BUDGET = 'LinkerdProxyOverResourceBudget';
const HIGH_THROUGHPUT = 'LinkerdProxyHighThroughputDefaultResources';
const MEMORY_NEAR_LIMIT = 'LinkerdProxyMemoryNearLimit';
const CPU_THROTTLED = 'LinkerdProxyCpuThrottled';
const CONTROL_PLANE = 'LinkerdControlPlaneOverResourcePlan';
const ALL_ALERTS = [OVER_BUDGET, HIGH_THROUGHPUT, MEMORY_NEAR_LIMIT, CPU_THROTTLED, CONTROL_PLANE];

type ProxyResources = NonNullable<NonNullable<ConfigInput['slos']>['proxyResources']>;
const MIB = 1024 * 1024;
const RULE_FILE = 'prometheus/linkerd-slo-test.rules.yaml';

/** Only this kind: the other kinds' long-window recordings would slow promtool down. */
const generated = (pr: ProxyResources = {}, more: Partial<ConfigInput> = {}) =>
  generatedBundle({ cluster: 'test', ...more, slos: { ...DEFAULT_KINDS_OFF, proxyResources: pr } });
const rulesFor = (pr: ProxyResources = {}, more: Partial<ConfigInput> = {}): string => ruleFileOf(generated(pr, more));

// ---- synthetic series ------------------------------------------------------------------------------


/** A counter sampled every minute: [per-second rate, minutes] segments, starting at 0. */
function counter(...segments: Array<[number, number]>): string {
  const values = [0];
  let v = 0;
  for (const [perSecond, minutes] of segments) {
    for (let i = 0; i < minutes; i++) {
      v = Math.round((v + perSecond * 60) * 1e6) / 1e6;
      values.push(v);
    }
  }
  return values.join(' ');
}
const gauge = (value: number, minutes: number) => `${value}x${minutes}`;

interface ProxySpec {
  readonly pod: string;
  /** Requests per second through the proxy, half inbound, half outbound; 0 = no request_total series (idle). */
  readonly rps: number;
  readonly cores: Array<[number, number]>;
  readonly memoryMiB: number;
  readonly labels?: Record<string, string>;
}

/** One meshed pod as the linkerd-proxy job scrapes it (viz prometheus.yaml target labels, the proxy's direction label). */
function proxy(p: ProxySpec, minutes: number): Array<{ series: string; values: string }> {
  const base = { job: 'linkerd-proxy', instance: `10.0.0.${p.pod.length}:4191`, namespace: 'app', pod: p.pod, deployment: p.pod, control_plane_ns: 'linkerd', ...p.labels };
  const out = [
    { series: series('process_cpu_seconds_total', base), values: counter(...p.cores) },
    { series: series('process_resident_memory_bytes', base), values: gauge(p.memoryMiB * MIB, minutes) },
  ];
  if (p.rps > 0) {
    for (const direction of ['inbound', 'outbound']) {
      out.push({ series: series('request_total', { ...base, direction, tls: 'true' }), values: counter([p.rps / 2, minutes]) });
    }
  }
  return out;
}

/** Firing alerts of one name, counted by the given labels. */


const ksm = (metric: string, pod: string, extra: Record<string, string> = {}) =>
  series(metric, { job: 'kube-state-metrics', namespace: 'app', pod, container: 'linkerd-proxy', node: 'n1', uid: `uid-${pod}`, ...extra });
const cadvisor = (metric: string, pod: string, container = 'linkerd-proxy', extra: Record<string, string> = {}) =>
  series(metric, { job: 'kubelet', metrics_path: '/metrics/cadvisor', namespace: 'app', pod, container, id: `/kubepods/${pod}/${container}`, image: 'cr.l5d.io/linkerd/proxy', ...extra });
const controller = (metric: string, component: string, instance: string) => series(metric, { job: 'linkerd-controller', component, instance });

describe('proxy resources under promtool', () => {
  beforeAll(requirePromtool);

  it('passes promtool check rules --lint-fatal: this kind with every source, and a full bundle with every kind on', () => {
    const own = rulesFor({ kubernetesMetrics: { enabled: true }, highThroughput: { defaultCpuLimitCores: 1 } }, {
      prometheus: { extraMatchers: { cluster: 'c1' }, ruleLabels: { team: 'platform' } },
    });
    const r1 = checkRules(own);
    expect(r1.output).toContain('SUCCESS');
    expect(r1.ok, r1.output).toBe(true);

    const config = validateConfig(
      {
        cluster: 'test',
        prometheus: { extraMatchers: { cluster: 'c1' }, ruleLabels: { team: 'platform' } },
        slos: {
          certificates: { certManager: { enabled: true }, x509Exporter: { enabled: true } },
          controlPlaneLatency: { components: ['identity', 'destination'] },
          controlPlaneAvailability: { replicas: { enabled: true } },
          proxyResources: { kubernetesMetrics: { enabled: true } },
        },
      },
      'test.yaml',
    );
    const full = generate(config, 'test.yaml').files.get(RULE_FILE)!;
    expect(full).toContain('linkerd-slo-proxy-resources-alerts');
    expect(full).toContain('linkerd-slo-certificates');
    const r2 = checkRules(full);
    expect(r2.ok, r2.output).toBe(true);
  });

  // 2,000 RPS (1,000 in + 1,000 out): budget 0.1 + 0.25 × 2 = 0.6 cores, 64 + 20 × 2 = 104 MiB.
  const budgetScenario = {
    interval: '1m',
    input_series: [
      ...proxy({ pod: 'fine', rps: 2000, cores: [[0.3, 130]], memoryMiB: 60 }, 130),
      // 0.55 cores is within budget only because both directions count (one direction: 0.35 cores).
      ...proxy({ pod: 'both-directions', rps: 2000, cores: [[0.55, 130]], memoryMiB: 60 }, 130),
      ...proxy({ pod: 'hot', rps: 2000, cores: [[1.0, 130]], memoryMiB: 60 }, 130),
      ...proxy({ pod: 'fat', rps: 2000, cores: [[0.3, 130]], memoryMiB: 200 }, 130),
      // No request_total at all (idle series evicted, linkerd/linkerd2-proxy `linkerd/app/src/env.rs` at release/v2.294.0): budget is the idle floor, 0.1 cores / 64 MiB.
      ...proxy({ pod: 'idle-small', rps: 0, cores: [[0.01, 130]], memoryMiB: 40 }, 130),
      ...proxy({ pod: 'idle-bloated', rps: 0, cores: [[0.01, 130]], memoryMiB: 100 }, 130),
      // A 30-minute burst to 1 core and 300 MiB, then back to normal: not "persistent".
      { series: series('process_cpu_seconds_total', { job: 'linkerd-proxy', namespace: 'app', pod: 'spiky' }), values: counter([0.3, 20], [1.0, 30], [0.3, 80]) },
      { series: series('process_resident_memory_bytes', { job: 'linkerd-proxy', namespace: 'app', pod: 'spiky' }), values: `${60 * MIB}x20 ${300 * MIB}x29 ${60 * MIB}x80` },
      { series: series('request_total', { job: 'linkerd-proxy', namespace: 'app', pod: 'spiky', direction: 'inbound' }), values: counter([1000, 130]) },
      { series: series('request_total', { job: 'linkerd-proxy', namespace: 'app', pod: 'spiky', direction: 'outbound' }), values: counter([1000, 130]) },
    ],
    promql_expr_test: [
      // The spike does cross both budgets (pending), but ends before `for: 1h` is up.
      { expr: 'count by (pod, alertstate) (ALERTS{alertname="LinkerdProxyOverResourceBudget", pod="spiky"})', eval_time: '40m', exp_samples: [{ labels: '{pod="spiky", alertstate="pending"}', value: 2 }] },
      // Over budget from ~1m; `for: 1h`: still pending at 55m.
      { expr: firing(OVER_BUDGET, 'pod'), eval_time: '55m', exp_samples: [] },
      {
        expr: firing(OVER_BUDGET, 'pod, resource, severity, slo'),
        eval_time: '70m',
        exp_samples: rows(
          'pod="fat", resource="memory", severity="warning", slo="proxy-resources"',
          'pod="hot", resource="cpu", severity="warning", slo="proxy-resources"',
          'pod="idle-bloated", resource="memory", severity="warning", slo="proxy-resources"',
        ),
      },
      { expr: firing(OVER_BUDGET, 'pod'), eval_time: '120m', exp_samples: rows('pod="fat"', 'pod="hot"', 'pod="idle-bloated"') },
      // The recorded request rate sums both directions, and is 0 (not absent) for an idle proxy.
      { expr: `round(${PROXY_RESOURCES_RECORDINGS.requests}{pod=~"hot|idle-small"})`, eval_time: '30m', exp_samples: [
        { labels: '{namespace="app", pod="hot"}', value: 2000 },
        { labels: '{namespace="app", pod="idle-small"}', value: 0 },
      ] },
    ],
  };

  it('a proxy at 2,000 RPS on 0.3 cores is fine, on 1.0 core it tickets after `for`; memory over budget tickets; a short spike does not', () => {
    const text = rulesFor();
    // promtool compares annotations exactly: fill them in from the rules, as Prometheus would render them.
    const rules = rulesOf(text).filter((r) => r.alert === OVER_BUDGET);
    const expected = [
      { pod: 'hot', resource: 'cpu', value: '166.7%' },
      { pod: 'fat', resource: 'memory', value: '192.3%' },
      { pod: 'idle-bloated', resource: 'memory', value: '156.2%' },
    ];
    const scenario = {
      ...budgetScenario,
      alert_rule_test: [
        {
          eval_time: '70m',
          alertname: OVER_BUDGET,
          exp_alerts: expected.map(({ pod, resource, value }) => {
            const rule = rules.find((r) => r.labels!.resource === resource)!;
            const fill = (s: string) =>
              s.replaceAll('{{ $labels.namespace }}', 'app').replaceAll('{{ $labels.pod }}', pod).replaceAll('{{ $value | humanizePercentage }}', value);
            return {
              exp_labels: { slo: 'proxy-resources', severity: 'warning', resource, namespace: 'app', pod },
              exp_annotations: Object.fromEntries(Object.entries(rule.annotations!).map(([k, v]) => [k, fill(v)])),
            };
          }),
        },
      ],
    };
    const r = testRules(text, { tests: [scenario] });
    expect(r.ok, r.output).toBe(true);
  });

  it('the budget scenario fails against a budget that would excuse the hot proxy (the test can fail)', () => {
    const text = rulesFor({ budget: { cpuCoresPer1kRps: 1 } });
    const r = testRules(text, { tests: [budgetScenario] });
    expect(r.ok).toBe(false);
    expect(r.output).toContain(OVER_BUDGET);
  });

  const SHAPES = [['a regular sidecar', 'sidecar'], ['a native sidecar (init container, the 2.20 default)', 'native']] as const;
  it.each(SHAPES)('a pod above 5,000 RPS on default proxy resources tickets (kube-state-metrics, %s); custom limits, low traffic and unknown pods do not', (_, shape: ProxyShape) => {
    const minutes = 90;
    const k = (family: 'info' | 'limits', pod: string, resource?: 'cpu' | 'memory') => kubeStateProxyContainer(shape, family, { namespace: 'app', pod, ...(resource ? { resource } : {}) });
    const scenario = (defaultCpuLimitCores?: number) => ({
      interval: '1m',
      input_series: [
        ...proxy({ pod: 'big-default', rps: 6000, cores: [[1, minutes]], memoryMiB: 100 }, minutes),
        ...proxy({ pod: 'big-custom', rps: 6000, cores: [[1, minutes]], memoryMiB: 100 }, minutes),
        ...proxy({ pod: 'big-at-default-limit', rps: 6000, cores: [[1, minutes]], memoryMiB: 100 }, minutes),
        ...proxy({ pod: 'small', rps: 1000, cores: [[0.1, minutes]], memoryMiB: 50 }, minutes),
        // Busy, but kube-state-metrics does not know the pod: we cannot tell, so we stay silent.
        ...proxy({ pod: 'big-unknown', rps: 6000, cores: [[1, minutes]], memoryMiB: 100 }, minutes),
        ...['big-default', 'big-custom', 'big-at-default-limit', 'small'].map((pod) => ({ series: k('info', pod), values: gauge(1, minutes) })),
        { series: k('limits', 'big-custom', 'cpu'), values: gauge(2, minutes) },
        { series: k('limits', 'big-custom', 'memory'), values: gauge(256 * MIB, minutes) },
        { series: k('limits', 'big-at-default-limit', 'cpu'), values: gauge(1, minutes) },
        // A memory limit alone is not custom CPU sizing.
        { series: k('limits', 'big-default', 'memory'), values: gauge(250 * MIB, minutes) },
      ],
      promql_expr_test: [
        { expr: firing(HIGH_THROUGHPUT, 'pod'), eval_time: '50m', exp_samples: [] },
        {
          expr: firing(HIGH_THROUGHPUT, 'pod, severity'),
          eval_time: '70m',
          exp_samples: defaultCpuLimitCores === undefined
            ? rows('pod="big-default", severity="warning"')
            : rows('pod="big-at-default-limit", severity="warning"', 'pod="big-default", severity="warning"'),
        },
        { expr: PROXY_RESOURCES_RECORDINGS.highThroughputPods, eval_time: '70m', exp_samples: [{ labels: `{__name__="${PROXY_RESOURCES_RECORDINGS.highThroughputPods}"}`, value: 4 }] },
      ],
    });
    const r1 = testRules(rulesFor({ kubernetesMetrics: { enabled: true } }), { tests: [scenario()] });
    expect(r1.ok, r1.output).toBe(true);
    const r2 = testRules(rulesFor({ kubernetesMetrics: { enabled: true }, highThroughput: { defaultCpuLimitCores: 1 } }), { tests: [scenario(1)] });
    expect(r2.ok, r2.output).toBe(true);
    // Without kube-state-metrics there is no signal for "default resources": no alert is generated.
    expect(rulesFor()).not.toContain(HIGH_THROUGHPUT);
  });

  it.each(SHAPES)('a proxy container near its memory limit pages whether it is %s', (_, shape: ProxyShape) => {
    const minutes = 30;
    const limit = (pod: string) => ({ series: kubeStateProxyContainer(shape, 'limits', { namespace: 'app', pod, resource: 'memory' }), values: gauge(100 * MIB, minutes) });
    const r = testRules(rulesFor({ kubernetesMetrics: { enabled: true } }), {
      tests: [{
        interval: '1m',
        input_series: [
          // cAdvisor names a running init container like any other.
          { series: cadvisor('container_memory_working_set_bytes', 'leaky'), values: gauge(95 * MIB, minutes) },
          limit('leaky'),
          { series: cadvisor('container_memory_working_set_bytes', 'roomy'), values: gauge(50 * MIB, minutes) },
          limit('roomy'),
        ],
        promql_expr_test: [{ expr: firing(MEMORY_NEAR_LIMIT, 'pod, severity'), eval_time: '20m', exp_samples: rows('pod="leaky", severity="critical"') }],
      }],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('with cAdvisor and kube-state-metrics: a proxy container near its memory limit pages, CPU throttling tickets', () => {
    const minutes = 40;
    const limit = (pod: string, mib: number, container = 'linkerd-proxy') => ({
      series: ksm('kube_pod_container_resource_limits', pod, { container, resource: 'memory', unit: 'byte' }),
      values: gauge(mib * MIB, minutes),
    });
    const r = testRules(rulesFor({ kubernetesMetrics: { enabled: true } }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: cadvisor('container_memory_working_set_bytes', 'leaky'), values: gauge(95 * MIB, minutes) },
            limit('leaky', 100),
            { series: cadvisor('container_memory_working_set_bytes', 'roomy'), values: gauge(50 * MIB, minutes) },
            limit('roomy', 100),
            // The application container at its limit is not the proxy's problem.
            { series: cadvisor('container_memory_working_set_bytes', 'roomy', 'app'), values: gauge(99 * MIB, minutes) },
            limit('roomy', 100, 'app'),
            // No memory limit: nothing to be near.
            { series: cadvisor('container_memory_working_set_bytes', 'unlimited'), values: gauge(900 * MIB, minutes) },
            // 40% and 10% of CFS periods throttled.
            { series: cadvisor('container_cpu_cfs_periods_total', 'throttled'), values: counter([10, minutes]) },
            { series: cadvisor('container_cpu_cfs_throttled_periods_total', 'throttled'), values: counter([4, minutes]) },
            { series: cadvisor('container_cpu_cfs_periods_total', 'mild'), values: counter([10, minutes]) },
            { series: cadvisor('container_cpu_cfs_throttled_periods_total', 'mild'), values: counter([1, minutes]) },
          ],
          promql_expr_test: [
            { expr: firing(MEMORY_NEAR_LIMIT, 'pod'), eval_time: '3m', exp_samples: [] },
            { expr: firing(MEMORY_NEAR_LIMIT, 'pod, severity'), eval_time: '10m', exp_samples: rows('pod="leaky", severity="critical"') },
            { expr: firing(CPU_THROTTLED, 'pod'), eval_time: '12m', exp_samples: [] },
            { expr: firing(CPU_THROTTLED, 'pod, severity'), eval_time: '25m', exp_samples: rows('pod="throttled", severity="warning"') },
            { expr: PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax, eval_time: '10m', exp_samples: [{ labels: `{__name__="${PROXY_RESOURCES_RECORDINGS.memoryLimitRatioMax}"}`, value: 0.95 }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('the control plane over its per-node plan tickets; HA replicas spread over nodes do not; Prometheus is planned per meshed pod', () => {
    const minutes = 90;
    const cpu = (component: string, instance: string, cores: number) => ({ series: controller('process_cpu_seconds_total', component, instance), values: counter([cores, minutes]) });
    const mem = (component: string, instance: string, mib: number) => ({ series: controller('process_resident_memory_bytes', component, instance), values: gauge(mib * MIB, minutes) });
    const meshed = (n: number) => Array.from({ length: n }, (_, i) => proxy({ pod: `web-${i}`, rps: 10, cores: [[0.01, minutes]], memoryMiB: 20 }, minutes)).flat();
    const text = rulesFor();
    const r = testRules(text, {
      tests: [
        {
          // One replica each; destination has grown to 0.8 cores: 0.9 cores on the node, plan 0.5.
          interval: '1m',
          input_series: [
            cpu('destination', '10.0.1.1:9996', 0.8), mem('destination', '10.0.1.1:9996', 200),
            cpu('identity', '10.0.1.2:9990', 0.05), mem('identity', '10.0.1.2:9990', 50),
            cpu('proxy-injector', '10.0.1.3:9995', 0.05), mem('proxy-injector', '10.0.1.3:9995', 50),
            // Prometheus: 600 MiB with 3 meshed pods (plan: the 512 MiB minimum).
            cpu('prometheus', '10.0.2.1:9090', 0.2), mem('prometheus', '10.0.2.1:9090', 600),
            ...meshed(3),
          ],
          promql_expr_test: [
            { expr: firing(CONTROL_PLANE, 'component, resource'), eval_time: '50m', exp_samples: [] },
            {
              expr: firing(CONTROL_PLANE, 'component, resource, severity'),
              eval_time: '70m',
              exp_samples: rows('component="control-plane", resource="cpu", severity="warning"', 'component="prometheus", resource="memory", severity="warning"'),
            },
          ],
        },
        {
          // HA: three replicas of each, 1.2 cores in total but at most 0.4 on any node; Prometheus busy (excluded from the node plan).
          // 600 MiB of Prometheus for 150 meshed pods is within 150 × 5 MiB.
          interval: '1m',
          input_series: [
            ...[1, 2, 3].flatMap((i) => [
              cpu('destination', `10.0.1.${i}:9996`, 0.2), mem('destination', `10.0.1.${i}:9996`, 150),
              cpu('identity', `10.0.2.${i}:9990`, 0.1), mem('identity', `10.0.2.${i}:9990`, 50),
              cpu('proxy-injector', `10.0.3.${i}:9995`, 0.1), mem('proxy-injector', `10.0.3.${i}:9995`, 50),
            ]),
            cpu('prometheus', '10.0.4.1:9090', 1), mem('prometheus', '10.0.4.1:9090', 600),
            ...meshed(150),
          ],
          promql_expr_test: [
            { expr: firing(CONTROL_PLANE, 'component, resource'), eval_time: '80m', exp_samples: [] },
            // Millicores: the heaviest destination, identity and injector replicas, 200 + 100 + 100.
            { expr: `round(1000 * ${PROXY_RESOURCES_RECORDINGS.controlPlaneNodeCpu})`, eval_time: '80m', exp_samples: [{ labels: '{}', value: 400 }] },
            { expr: PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan, eval_time: '80m', exp_samples: [{ labels: `{__name__="${PROXY_RESOURCES_RECORDINGS.prometheusMemoryPlan}"}`, value: 750 * MIB }] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('recorded aggregates carry no pod label: their series count is independent of the pod count (extra matcher labels kept)', () => {
    const text = rulesFor({ kubernetesMetrics: { enabled: true } }, { prometheus: { extraMatchers: { cluster: 'c1' }, ruleLabels: { team: 'platform' } } });
    const c1 = { cluster: 'c1' };
    const clusterLevel = `{__name__=~"${CLUSTER_LEVEL_RECORDS.join('|')}"}`;
    const scenario = (pods: number) => ({
      interval: '1m',
      input_series: [
        ...Array.from({ length: pods }, (_, i) => [
          ...proxy({ pod: `web-${i}`, rps: 1000 * (i + 1), cores: [[0.1, 20]], memoryMiB: 50, labels: c1 }, 20),
          { series: cadvisor('container_memory_working_set_bytes', `web-${i}`, 'linkerd-proxy', c1), values: gauge(50 * MIB, 20) },
          { series: ksm('kube_pod_container_resource_limits', `web-${i}`, { resource: 'memory', unit: 'byte', ...c1 }), values: gauge(100 * MIB, 20) },
          { series: cadvisor('container_cpu_cfs_periods_total', `web-${i}`, 'linkerd-proxy', c1), values: counter([10, 20]) },
          { series: cadvisor('container_cpu_cfs_throttled_periods_total', `web-${i}`, 'linkerd-proxy', c1), values: counter([1, 20]) },
        ]).flat(),
        { series: series('process_cpu_seconds_total', { job: 'linkerd-controller', component: 'destination', instance: '10.0.1.1:9996', ...c1 }), values: counter([0.1, 20]) },
        { series: series('process_resident_memory_bytes', { job: 'linkerd-controller', component: 'destination', instance: '10.0.1.1:9996', ...c1 }), values: gauge(100 * MIB, 20) },
      ],
      promql_expr_test: [
        // Every cluster-level record has exactly one series, whatever the number of pods…
        { expr: `count(${clusterLevel})`, eval_time: '15m', exp_samples: [{ labels: '{}', value: CLUSTER_LEVEL_RECORDS.length }] },
        { expr: `count(${clusterLevel.slice(0, -1)}, pod!=""})`, eval_time: '15m', exp_samples: [] },
        // …and carries only the extra matcher labels and the rule labels.
        { expr: PROXY_RESOURCES_RECORDINGS.pods, eval_time: '15m', exp_samples: [{ labels: `{__name__="${PROXY_RESOURCES_RECORDINGS.pods}", cluster="c1", team="platform"}`, value: pods }] },
        { expr: PROXY_RESOURCES_RECORDINGS.requestsTotal, eval_time: '15m', exp_samples: [{ labels: `{__name__="${PROXY_RESOURCES_RECORDINGS.requestsTotal}", cluster="c1", team="platform"}`, value: (1000 * pods * (pods + 1)) / 2 }] },
        // Usage totals (derived from the per-pod budget ratios): 0.1 cores and 50 MiB per proxy.
        { expr: `round(1000 * ${PROXY_RESOURCES_RECORDINGS.cpuTotal})`, eval_time: '15m', exp_samples: [{ labels: '{cluster="c1", team="platform"}', value: 100 * pods }] },
        { expr: `round(${PROXY_RESOURCES_RECORDINGS.memoryTotal} / ${MIB})`, eval_time: '15m', exp_samples: [{ labels: '{cluster="c1", team="platform"}', value: 50 * pods }] },
        // The per-pod records do scale with pods (that is what the alerts need).
        { expr: `count(${PROXY_RESOURCES_RECORDINGS.cpuBudgetRatioPerPod})`, eval_time: '15m', exp_samples: [{ labels: '{}', value: pods }] },
      ],
    });
    const r = testRules(text, { tests: [scenario(3), scenario(7)] });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('proxy resources: rules, config, dashboards and runbooks', () => {
  const extraConfig = { prometheus: { extraMatchers: { cluster: 'c1' }, ruleLabels: { team: 'platform' } } };
  const gen = generated({ kubernetesMetrics: { enabled: true }, highThroughput: { defaultCpuLimitCores: 1 } }, extraConfig);
  const rules = rulesOf(gen.files.get(RULE_FILE)!);

  it('every selector carries the extra matchers and every aggregation keeps their labels', () => {
    for (const r of rules) {
      const selectors = r.expr.match(/[a-z_:]+\{[^}]*\}/g) ?? [];
      expect(selectors.length, r.record ?? r.alert).toBeGreaterThan(0);
      for (const s of selectors) expect(s, r.record ?? r.alert).toContain('cluster="c1"');
      for (const by of r.expr.match(/\b(by|on) \([^)]*\)/g) ?? []) expect(by, r.record ?? r.alert).toContain('cluster');
      expect(r.labels?.team).toBe('platform');
    }
  });

  it('alerts: Linkerd names, severity, slo label, for, annotations with the observed value, one runbook page each', () => {
    const alerts = rules.filter((r) => r.alert);
    expect([...new Set(alerts.map((a) => a.alert))].sort()).toEqual([...ALL_ALERTS].sort());
    for (const a of alerts) {
      expect(a.alert).toMatch(/^Linkerd[A-Z][A-Za-z]+$/);
      expect(a.labels).toMatchObject({ slo: 'proxy-resources', team: 'platform' });
      expect(a.labels!.severity).toBe(a.alert === MEMORY_NEAR_LIMIT ? 'critical' : 'warning');
      expect(a.for).toBeDefined();
      expect(a.annotations!.summary).toContain('{{ $value');
      expect(a.annotations!.description).toContain('{{ $value');
      expect(a.annotations!.runbook_url).toMatch(new RegExp(`/${a.alert}\\.md$`));
      const page = gen.files.get(`runbooks/${a.alert}.md`);
      expect(page, a.alert).toBeDefined();
      expect(page!.startsWith(`# ${a.alert}\n`)).toBe(true);
      expect(page).not.toMatch(/\{\{|\}\}\}/);
    }
    expect(gen.files.get(`runbooks/${HIGH_THROUGHPUT}.md`)).toContain('config.linkerd.io/proxy-cpu-limit');
    expect(gen.files.get(`runbooks/${HIGH_THROUGHPUT}.md`)).toContain('default limit of 1 cores');
  });

  it('dashboards read recorded series only, on the proxies and control-plane dashboards, in cores, bytes and reqps', () => {
    const rows = gen.outputs.flatMap((o) => o.dashboardRows).filter((r) => r.title.endsWith('resources'));
    expect(rows.map((r) => [r.title, r.dashboard])).toEqual([['Proxy resources', 'proxies'], ['Control-plane resources', 'control-plane']]);
    type GrafanaPanel = { title: string; targets?: Array<{ expr: string }> };
    const grafanaPanels = [...gen.files.entries()]
      .filter(([f]) => f.startsWith('grafana/') && f.endsWith('.json'))
      .flatMap(([, text]) => (JSON.parse(text) as { panels: GrafanaPanel[] }).panels);
    const units = new Set<string>();
    for (const row of rows) {
      for (const p of row.panels) {
        units.add(p.unit);
        for (const q of p.queries) {
          const metrics = JSON.stringify(q.expr).match(/"metric":"[^"]+"/g) ?? [];
          expect(metrics.length, p.title).toBeGreaterThan(0);
          for (const m of metrics) expect(m, p.title).toMatch(/"metric":"linkerd_slo:/);
        }
      }
    }
    expect([...units]).toEqual(expect.arrayContaining(['suffix: cores', 'bytes', 'reqps']));
    const heaviest = grafanaPanels.find((p) => p.title === 'Heaviest proxies: CPU');
    // Per-pod usage is not recorded: the table multiplies the recorded budget ratio back by the pod's budget (defaults: 0.1 cores + 0.25 per 1k RPS).
    expect(heaviest?.targets?.[0]?.expr.replace(/\s+/g, ' ')).toMatch(
      new RegExp(`^topk \\( 10, ${PROXY_RESOURCES_RECORDINGS.cpuBudgetRatioPerPod}\\{cluster="\\$cluster"\\} \\* \\(0\\.1 \\+ 0\\.00025 \\* ${PROXY_RESOURCES_RECORDINGS.requests}\\{cluster="\\$cluster"\\}\\) \\)$`),
    );
  });

  it('rejects a rule label it sets itself and a kube-state-metrics source nothing uses', () => {
    expect(() => generated({}, { prometheus: { ruleLabels: { resource: 'x' } } })).toThrow(/label "resource" is set by linkerd-slo itself/);
    expect(() =>
      generated({ kubernetesMetrics: { enabled: true, memoryNearLimit: { enabled: false }, cpuThrottled: { enabled: false } }, highThroughput: { enabled: false } }),
    ).toThrow(/no alert uses cAdvisor or kube-state-metrics/);
    expect(() => generated({ budget: { idleCpuCores: 0 } })).toThrow(/idleCpuCores/);
  });
});
