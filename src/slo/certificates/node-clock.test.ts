/**
 * Node clock skew from node-exporter (slos.certificates.nodeClock), proven by the real promtool on
 * series labelled the way kube-prometheus scrapes node-exporter (job node-exporter, instance relabelled
 * to the node name, the kube-rbac-proxy container of the DaemonSet pod), with values in the units of
 * node_exporter collector/timex.go (seconds; sync_status 1/0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { checkRules, requirePromtool, testRules } from '../../../test/support/promtool.js';
import { firing as firingBy, generated as generatedBundle, onlyGroups, rows, ruleFileOf } from '../../../test/support/bundle.js';
import { series } from '../../../test/support/linkerd-series.js';

const SKEW = 'LinkerdNodeClockSkew';
const UNSYNCED = 'LinkerdNodeClockNotSynchronising';
const ABSENT = 'LinkerdCertificateSourceAbsent';

type Certs = NonNullable<NonNullable<ConfigInput['slos']>['certificates']>;
type NodeClock = NonNullable<Certs['nodeClock']>;

const generated = (nodeClock: NodeClock, more: Partial<ConfigInput> = {}) =>
  generatedBundle({ cluster: 'test', linkerd: { version: '2.18' }, ...more, slos: { certificates: { nodeClock } } });

/** Only the certificates group: these scenarios need none of the SLO kinds' recordings. */
const certRuleFile = (nodeClock: NodeClock = { enabled: true }): string => onlyGroups(ruleFileOf(generated(nodeClock)), 'linkerd-slo-certificates');

/** kube-prometheus' node-exporter scrape of one node. */
const nodeLabels = (node: string, pod: string) => ({
  container: 'kube-rbac-proxy',
  endpoint: 'https',
  instance: node,
  job: 'node-exporter',
  namespace: 'monitoring',
  pod,
  service: 'node-exporter',
});
const firing = (alertname: string, by = 'severity, instance') => firingBy(alertname, by);

const SYNCED = nodeLabels('ip-10-0-1-12.eu-west-1.compute.internal', 'node-exporter-4qz8m');
const DRIFTING = nodeLabels('ip-10-0-2-31.eu-west-1.compute.internal', 'node-exporter-b7x2c');
const SKEWED = nodeLabels('ip-10-0-3-17.eu-west-1.compute.internal', 'node-exporter-k9d5w');
const LOST = nodeLabels('ip-10-0-4-08.eu-west-1.compute.internal', 'node-exporter-t3n6p');

/** The three timex gauges of one node, one sample a minute for `minutes` minutes. */
function node(labels: Record<string, string>, offset: string, maxError: string, sync: string) {
  return [
    { series: series('node_timex_offset_seconds', labels), values: offset },
    { series: series('node_timex_maxerror_seconds', labels), values: maxError },
    { series: series('node_timex_sync_status', labels), values: sync },
  ];
}

describe('node clock skew under promtool', () => {
  beforeAll(requirePromtool);

  it('is off by default; enabled, its rules pass promtool check rules --lint-fatal', () => {
    const defaults = generated({}).files.get('prometheus/linkerd-slo-test.rules.yaml')!;
    expect(defaults).not.toContain('node_timex');
    const text = certRuleFile();
    const r = checkRules(text);
    expect(r.ok, r.output).toBe(true);
    for (const metric of ['node_timex_offset_seconds', 'node_timex_maxerror_seconds', 'node_timex_sync_status']) expect(text).toContain(metric);
  });

  it('tickets above 500ms (offset plus max error), pages above 10s measured offset, tickets an unsynchronised clock; a synced node stays quiet', () => {
    const minutes = 45;
    const r = testRules(certRuleFile(), {
      tests: [
        {
          interval: '1m',
          input_series: [
            // chrony-synced: sub-millisecond offset, 12ms maximum error.
            ...node(SYNCED, `0.0003x${minutes}`, `0.012x${minutes}`, `1x${minutes}`),
            // Synced to a source 0.8s off the others.
            ...node(DRIFTING, `0.8x${minutes}`, `0.02x${minutes}`, `1x${minutes}`),
            // 25s behind: fresh certificates from other nodes are "not yet valid" here.
            ...node(SKEWED, `-25x${minutes}`, `0.02x${minutes}`, `1x${minutes}`),
            // Time daemon gone: the kernel's maximum error grows by 500ppm (30ms a minute).
            ...node(LOST, `0x${minutes}`, `0.02+0.03x${minutes}`, `0x${minutes}`),
          ],
          promql_expr_test: [
            { expr: firing(SKEW), eval_time: '1m', exp_samples: [] },
            // Page after `for: 2m`; tickets after `for: 10m`.
            { expr: firing(SKEW), eval_time: '4m', exp_samples: rows(`severity="critical", instance="${SKEWED.instance}"`) },
            { expr: firing(UNSYNCED), eval_time: '9m', exp_samples: [] },
            {
              expr: firing(SKEW),
              eval_time: '12m',
              exp_samples: rows(
                `severity="critical", instance="${SKEWED.instance}"`,
                `severity="warning", instance="${DRIFTING.instance}"`,
                `severity="warning", instance="${SKEWED.instance}"`,
              ),
            },
            { expr: firing(UNSYNCED), eval_time: '12m', exp_samples: rows(`severity="warning", instance="${LOST.instance}"`) },
            // The lost node's bound 0.02 + 0.03·m passes 0.5s at 17m; ticket 10m later. It never pages: only a measured offset does.
            {
              expr: firing(SKEW),
              eval_time: '25m',
              exp_samples: rows(
                `severity="critical", instance="${SKEWED.instance}"`,
                `severity="warning", instance="${DRIFTING.instance}"`,
                `severity="warning", instance="${SKEWED.instance}"`,
              ),
            },
            {
              expr: firing(SKEW),
              eval_time: '30m',
              exp_samples: rows(
                `severity="critical", instance="${SKEWED.instance}"`,
                `severity="warning", instance="${DRIFTING.instance}"`,
                `severity="warning", instance="${LOST.instance}"`,
                `severity="warning", instance="${SKEWED.instance}"`,
              ),
            },
            { expr: `count(ALERTS{alertstate="firing", instance="${SYNCED.instance}"})`, eval_time: '40m', exp_samples: [] },
            // node-exporter reports, so its absent ticket stays closed (Linkerd's sources are absent here and do tick).
            { expr: `count(ALERTS{alertstate="firing", alertname="${ABSENT}", source="node-exporter"})`, eval_time: '40m', exp_samples: [] },
          ],
          alert_rule_test: [
            {
              eval_time: '4m',
              alertname: SKEW,
              exp_alerts: [
                {
                  // Every label of the scrape survives, so the page names the node and its node-exporter pod.
                  exp_labels: { ...SKEWED, slo: 'certificates', severity: 'critical', source: 'node-exporter' },
                  exp_annotations: {
                    summary: `Linkerd (test): the clock of node ${SKEWED.instance} is off by 25s (above 10s); proxies there reject fresh certificates.`,
                    description:
                      `Node ${SKEWED.instance} reports a clock offset of 25s (node_timex_offset_seconds, node-exporter), more than 10s. ` +
                      "Proxies check a peer's certificate against their own node's clock with no tolerance, and the identity controller backdates new certificates only by identity.issuer.clockSkewAllowance (Helm default 20s): " +
                      'pods on this node and their peers start rejecting freshly issued certificates as "not yet valid" (or expired ones as still valid), and meshed traffic to and from the node fails.\n' +
                      "Fix the node's time synchronisation (the provider's time-sync service, one NTP source for every node) before the drift reaches Linkerd's clock-skew allowance.",
                    runbook_url: `https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks/${SKEW}.md`,
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('a clock that resynchronises resolves its tickets', () => {
    const r = testRules(certRuleFile(), {
      tests: [
        {
          interval: '1m',
          input_series: node(DRIFTING, '0.8x20 0.001x20', '0.02x40', '0x20 1x20'),
          promql_expr_test: [
            { expr: firing(SKEW), eval_time: '15m', exp_samples: rows(`severity="warning", instance="${DRIFTING.instance}"`) },
            { expr: firing(UNSYNCED), eval_time: '15m', exp_samples: rows(`severity="warning", instance="${DRIFTING.instance}"`) },
            // Back in sync at 21m: the offset clears at once, the 5m min_over_time window by 26m.
            { expr: firing(SKEW), eval_time: '22m', exp_samples: [] },
            { expr: firing(UNSYNCED), eval_time: '27m', exp_samples: [] },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('bounds and matchers are configurable: another exporter\'s node_timex_* series are ignored', () => {
    const text = certRuleFile({ enabled: true, ticketAbove: '100ms', pageAbove: '5s', matchers: { job: 'node-exporter' } });
    const other = { ...DRIFTING, job: 'vm-agent-node', pod: 'vm-agent-0' };
    const r = testRules(text, {
      tests: [
        {
          interval: '1m',
          input_series: [...node(DRIFTING, '-6x15', '0.01x15', '1x15'), ...node(other, '-6x15', '0.01x15', '1x15'), ...node(SYNCED, '0.15x15', '0.01x15', '1x15')],
          promql_expr_test: [
            {
              expr: firing(SKEW, 'severity, instance, job'),
              eval_time: '12m',
              exp_samples: rows(
                `severity="critical", instance="${DRIFTING.instance}", job="node-exporter"`,
                `severity="warning", instance="${DRIFTING.instance}", job="node-exporter"`,
                `severity="warning", instance="${SYNCED.instance}", job="node-exporter"`,
              ),
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('no node-exporter data opens the source-absent ticket after absentFor', () => {
    const r = testRules(certRuleFile(), {
      tests: [
        {
          interval: '1m',
          // Linkerd's own sources report; node-exporter does not.
          input_series: [
            { series: 'control_identity_cert_expiration_timestamp_seconds{job="linkerd-proxy", namespace="app", pod="web-0"}', values: '86400x40' },
            { series: 'issuer_cert_ttl_seconds{job="linkerd-controller", component="identity"}', values: '25920000x40' },
          ],
          promql_expr_test: [
            { expr: firing(ABSENT, 'source'), eval_time: '20m', exp_samples: [] },
            { expr: firing(ABSENT, 'severity, source'), eval_time: '35m', exp_samples: rows('severity="warning", source="node-exporter"') },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });
});

describe('node clock skew: config, dashboard and runbooks', () => {
  it('rejects a ticket bound at or above the page bound, naming the field', () => {
    expect(() => generated({ enabled: true, ticketAbove: '10s' })).toThrow(/slos\.certificates\.nodeClock\.ticketAbove.*ticketAbove \(10s\) must be smaller than pageAbove \(10s\)/);
    expect(() => generated({ enabled: true, ticketAbove: '1s', pageAbove: '30s' })).not.toThrow();
  });

  it('the certificates dashboard gets the clock panels, coloured at the alert bounds', () => {
    const row = generated({ enabled: true }).outputs.flatMap((o) => o.dashboardRows).find((r) => r.title === 'Node clocks')!;
    expect(row.dashboard).toBe('certificates');
    const offset = row.panels.find((p) => p.title === 'Node clock offset')!;
    expect(offset.unit).toBe('s');
    expect(offset.thresholds!.map((t) => t.value)).toEqual([null, -10, -0.5, 0.5, 10]);
    expect(row.panels.map((p) => p.title)).toContain('Nodes with an unsynchronised clock');
    const dashboards = [...generated({ enabled: true }).files.entries()].filter(([k]) => k.startsWith('grafana/') && k.endsWith('.json') && k.includes('certificates'));
    expect(dashboards.length).toBeGreaterThan(0);
    for (const [, json] of dashboards) expect(json).toContain('node_timex_offset_seconds');
    expect(generated({}).outputs.flatMap((o) => o.dashboardRows).some((r) => r.title === 'Node clocks')).toBe(false);
  });

  it('each clock alert has a runbook page with the time-sync advice', () => {
    const files = generated({ enabled: true }).files;
    for (const alert of [SKEW, UNSYNCED]) {
      const page = files.get(`runbooks/${alert}.md`);
      expect(page, alert).toBeDefined();
      expect(page!.startsWith(`# ${alert}\n`)).toBe(true);
      expect(page).toMatch(/time-sync service/);
      expect(page).toMatch(/\*\*same\*\*/);
    }
    expect(files.get(`runbooks/${ABSENT}.md`)).toContain('`node-exporter`');
    expect(generated({}).files.has(`runbooks/${SKEW}.md`)).toBe(false);
  });

  it('the runbooks query the series the rules read, also when a node matcher names an extra-matcher label', () => {
    // The extra matcher wins in the rules (withMatchers: a later matcher on the same label replaces it),
    // so a runbook that printed both cluster matchers would select nothing at all.
    const bundle = generated({ enabled: true, matchers: { job: 'node-exporter', cluster: 'stale' } }, { prometheus: { extraMatchers: { cluster: 'eu1' } } });
    const rules = ruleFileOf(bundle);
    const selected = 'node_timex_offset_seconds{job="node-exporter", cluster="eu1"}';
    expect(rules).toContain(`absent(${selected})`);
    const page = bundle.files.get(`runbooks/${SKEW}.md`)!;
    expect(page).toContain(`${selected}\n`);
    expect(page).not.toContain('stale');
    expect(bundle.files.get(`runbooks/${UNSYNCED}.md`)).not.toContain('stale');
  });
});
