/**
 * Scenario tests for issue #11 items 2–4, run by the real promtool against the generated rules. The
 * input series are written from what Linkerd really exposes, not from the generator's selectors:
 *  - proxy_build_info of proxies before v2.205 (Linkerd ≤ 2.13) has git_branch, git_sha, git_version,
 *    profile, rust_version and no `version` (linkerd/linkerd2-proxy `linkerd/app/core/src/telemetry/build_info.rs`
 *    at release/v2.204.0); the real release proxy v2.175.0 in linkerd/linkerd2
 *    `testutil/prommatch/testdata/sampleMetrics.txt` reports git_sha = git_version = "279b301". From v2.205
 *    (commit d6172c594) it has version (without "v": LINKERD2_PROXY_VERSION is `${VERSION#v}` in the
 *    proxy's release workflow), git_sha, profile, date, vendor.
 *  - Which proxy each Linkerd release ships: `.proxy-version` at the linkerd/linkerd2 tag; a release
 *    proxy's commit: the linkerd/linkerd2-proxy tag `release/<version>`.
 *  - `up` of the control-plane scrape: the viz job keeps job, instance and component (= container);
 *    a Prometheus Operator PodMonitor adds namespace, pod, container and job "<namespace>/<name>".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load.js';
import { generate } from '../../generate.js';
import type { ConfigInput } from '../../config/schema.js';
import { SUPPORTED_VERSIONS } from '../../linkerd/catalog.js';
import { AVAILABILITY_RULE_GROUP } from './names.js';
import { requirePromtool, testRules } from '../../../test/support/promtool.js';
import { DEFAULT_KINDS_OFF, firing, generated, onlyGroups, ruleFileOf } from '../../../test/support/bundle.js';

const DOWN = 'LinkerdControlPlaneComponentDown';
const NOT_SCRAPED = 'LinkerdControlPlaneComponentNotScraped';
const SKEW = 'LinkerdProxyVersionSkew';

type Linkerd = NonNullable<ConfigInput['linkerd']>;
type Availability = NonNullable<NonNullable<ConfigInput['slos']>['controlPlaneAvailability']>;

const rules = (version: string, linkerd: Omit<Linkerd, 'version'> = {}, availability: Availability = {}): string =>
  onlyGroups(ruleFileOf(generated({ cluster: 'test', linkerd: { ...linkerd, version: version as never }, slos: { ...DEFAULT_KINDS_OFF, controlPlaneAvailability: availability } })), AVAILABILITY_RULE_GROUP);

const labelText = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
const minorOf = (release: string) => Number(release.split('.')[1]);

// ---- version skew ---------------------------------------------------------------------------------

/** rust_version is not read by any rule; every pre-v2.205 fixture carries the one of the real v2.175.0 scrape. */
const RUST = 'rustc 1.59.0 (9d1b2106e 2022-02-23)';

interface ProxyFixture {
  /** Where the fixture comes from. */
  readonly what: string;
  /** proxy_build_info's own labels, as the proxy exposes them. */
  readonly build: Record<string, string>;
  /** The first Linkerd release whose pinned proxy is newer than this one (so it is too old once that release is the floor). */
  readonly olderThan?: string;
  /** What the alert shows as `version`. */
  readonly shown: string;
}

const preVersionLabel = (commit: string, gitVersion = commit) => ({ git_branch: 'HEAD', git_sha: commit, git_version: gitVersion, profile: 'release', rust_version: RUST });
const withVersionLabel = (version: string, sha: string) => ({ version, git_sha: sha, profile: 'release', date: '2025-01-01T00:00:00Z', vendor: 'linkerd' });

const PROXIES: readonly ProxyFixture[] = [
  { what: 'stable-2.8.1 ships v2.100.0 (release/v2.100.0 = b1b6b53)', build: preVersionLabel('b1b6b53'), olderThan: '2.9', shown: 'b1b6b53' },
  { what: 'stable-2.9.0 ships v2.118.0 (release/v2.118.0 = 2e6357f)', build: preVersionLabel('2e6357f'), olderThan: '2.10', shown: '2e6357f' },
  // `git describe --always` of a build two commits after the annotated tag: the release is only in git_version.
  { what: 'a build just after release/v2.118.0', build: preVersionLabel('1234567', 'release/v2.118.0-2-g1234567'), olderThan: '2.10', shown: 'v2.118.0-2-g1234567' },
  { what: 'stable-2.10.2 ships v2.141.1 (release/v2.141.1 = ba67188)', build: preVersionLabel('ba67188'), olderThan: '2.11', shown: 'ba67188' },
  { what: 'stable-2.11.0 ships v2.161.0 (release/v2.161.0 = d10ed8f)', build: preVersionLabel('d10ed8f'), olderThan: '2.12', shown: 'd10ed8f' },
  { what: 'the real scrape: release proxy v2.175.0, between 2.11 and 2.12', build: preVersionLabel('279b301'), olderThan: '2.12', shown: '279b301' },
  { what: 'stable-2.12.6 ships v2.188.0 (release/v2.188.0 = 4e17204)', build: preVersionLabel('4e17204'), olderThan: '2.13', shown: '4e17204' },
  { what: 'stable-2.13.0 ships v2.197.1 (release/v2.197.1 = d6f20a6)', build: preVersionLabel('d6f20a6'), olderThan: '2.14', shown: 'd6f20a6' },
  { what: 'stable-2.13.7 ships v2.203.4 (release/v2.203.4 = 0e843c9)', build: preVersionLabel('0e843c9'), olderThan: '2.14', shown: '0e843c9' },
  // A pre-v2.205 build of no release: its release is unknown, but it is older than 2.14 for sure.
  { what: 'an untagged build before v2.205', build: preVersionLabel('abcdef0'), olderThan: '2.14', shown: 'abcdef0' },
  { what: 'stable-2.14.0 ships v2.207.0', build: withVersionLabel('2.207.0', '9fa90df'), olderThan: '2.15', shown: '2.207.0' },
  { what: 'stable-2.14.10 ships v2.210.4', build: withVersionLabel('2.210.4', 'fixture'), olderThan: '2.15', shown: '2.210.4' },
  { what: 'version-2.16 ships v2.246.0', build: withVersionLabel('2.246.0', 'fixture'), olderThan: '2.17', shown: '2.246.0' },
  { what: 'version-2.17 ships v2.268.0', build: withVersionLabel('2.268.0', 'fixture'), olderThan: '2.18', shown: '2.268.0' },
  { what: 'version-2.18 ships v2.294.0', build: withVersionLabel('2.294.0', 'fixture'), olderThan: '2.19', shown: '2.294.0' },
  { what: 'version-2.19 ships v2.326.0', build: withVersionLabel('2.326.0', 'fixture'), olderThan: '2.20', shown: '2.326.0' },
  { what: 'version-2.20 ships v2.359.0', build: withVersionLabel('2.359.0', 'fixture'), shown: '2.359.0' },
  { what: 'a dev build (version 0.0.0-dev): not judged', build: withVersionLabel('0.0.0-dev', 'fixture'), shown: '0.0.0-dev' },
];

const proxySeries = PROXIES.map((p, i) => ({
  series: `proxy_build_info${labelText({ job: 'linkerd-proxy', namespace: 'apps', pod: `pod-${i}`, ...p.build })}`,
  values: '1x90',
}));

describe('version skew sees the oldest proxies (issue #11 item 2)', () => {
  beforeAll(requirePromtool);

  it('a mesh with pre-2.14 proxies raises the skew ticket on every supported control-plane version (one release behind allowed)', () => {
    for (const version of SUPPORTED_VERSIONS) {
      // Default maxReleasesBehind 1: too old means older than the previous release's proxy.
      const floor = minorOf(version) - 1;
      const expected = PROXIES.filter((p) => p.olderThan !== undefined && minorOf(p.olderThan) <= floor);
      const preVersionLabelExpected = expected.filter((p) => !('version' in p.build));
      expect(preVersionLabelExpected.length, `${version}: the mesh must hold pre-2.14 proxies that are too old`).toBeGreaterThan(0);
      const r = testRules(rules(version), {
        tests: [
          {
            interval: '1m',
            input_series: proxySeries,
            promql_expr_test: [
              { expr: firing(SKEW, 'namespace, version'), eval_time: '50m', exp_samples: [] },
              {
                expr: firing(SKEW, 'namespace, version'),
                eval_time: '70m',
                exp_samples: expected.map((p) => ({ labels: `{namespace="apps", version="${p.shown}"}`, value: 1 })),
              },
            ],
          },
        ],
      });
      expect(r.ok, `${version}: expected ${expected.map((p) => p.what).join('; ')}\n${r.output}`).toBe(true);
    }
  });

  it('maxReleasesBehind 0 on 2.14: every proxy without a version label (all of Linkerd ≤ 2.13) tickets, 2.14 proxies stay quiet', () => {
    /** promtool: at 70m the skew alert fires for exactly the versions of the `ticketing` proxies. */
    const skewTickets = (version: string, maxReleasesBehind: number, ticketing: typeof PROXIES) =>
      testRules(rules(version, {}, { versionSkew: { maxReleasesBehind } }), {
        tests: [
          {
            interval: '1m',
            input_series: proxySeries,
            promql_expr_test: [
              { expr: firing(SKEW, 'version'), eval_time: '70m', exp_samples: ticketing.map((p) => ({ labels: `{version="${p.shown}"}`, value: 1 })) },
            ],
          },
        ],
      });
    const r = skewTickets('2.14', 0, PROXIES.filter((p) => !('version' in p.build)));
    expect(r.ok, r.output).toBe(true);
    // Two releases behind on 2.20: proxies of 2.18 (and older) ticket, 2.19 not.
    const r2 = skewTickets('2.20', 2, PROXIES.filter((p) => p.olderThan && minorOf(p.olderThan) <= 18));
    expect(r2.ok, r2.output).toBe(true);
  });
});

// ---- scrape styles --------------------------------------------------------------------------------

/** Core containers and their admin ports (charts/linkerd-control-plane at version-2.19: dest-admin, … after #14111). */
const CORE_2_19 = [
  { container: 'destination', pod: 'linkerd-destination-6d8f7b9c4-x2x1k', port: 9996 },
  { container: 'sp-validator', pod: 'linkerd-destination-6d8f7b9c4-x2x1k', port: 9997 },
  { container: 'policy', pod: 'linkerd-destination-6d8f7b9c4-x2x1k', port: 9990 },
  { container: 'identity', pod: 'linkerd-identity-7c9d8f6b5-q8w2e', port: 9990 },
  { container: 'proxy-injector', pod: 'linkerd-proxy-injector-5f4b8c7d6-m3n4p', port: 9995 },
];
/** Viz containers with ports named `admin` from 2.19 (viz/charts/linkerd-viz/templates/*.yaml at version-2.19). */
const VIZ = [
  { container: 'metrics-api', pod: 'metrics-api-6c7d8f9b5-k2l3m', port: 9995 },
  { container: 'tap', pod: 'tap-5b6c7d8f9-n4p5q', port: 9998 },
  { container: 'tap-injector', pod: 'tap-injector-7d8f9b6c5-r6s7t', port: 9995 },
  { container: 'web', pod: 'web-8f9b6c7d5-u8v9w', port: 9994 },
];

/** `up` as the chart's PodMonitor scrapes it: Prometheus Operator adds namespace, pod, container and job "<ns>/<name>". */
function podMonitorUp(namespace: string, t: { container: string; pod: string; port: number }, i: number, values: string) {
  const labels = { job: 'linkerd/linkerd-controller', namespace, pod: t.pod, container: t.container, component: t.container, instance: `10.42.0.${10 + i}:${t.port}` };
  return { series: `up${labelText(labels)}`, values };
}
/** `up` as the viz chart's linkerd-controller job scrapes it: job, instance and component only. */
function vizJobUp(t: { container: string; port: number }, i: number, values: string) {
  return { series: `up${labelText({ job: 'linkerd-controller', instance: `10.42.0.${10 + i}:${t.port}`, component: t.container })}`, values };
}

const podMonitor = { controllerJob: 'linkerd/linkerd-controller', proxyJob: 'linkerd/linkerd-proxy' };

describe('each scrape style is expected to scrape exactly what it scrapes (issue #11 item 3)', () => {
  beforeAll(requirePromtool);

  it('2.19 and 2.20 with the chart PodMonitor and viz installed: the core scraped, viz (ports "admin") never; quiet', () => {
    const coreOnly = CORE_2_19.map((t, i) => podMonitorUp('linkerd', t, i, '1x40'));
    for (const version of ['2.19', '2.20']) {
      const r = testRules(rules(version, podMonitor), {
        tests: [
          {
            interval: '1m',
            input_series: coreOnly,
            promql_expr_test: ['12m', '40m'].flatMap((t) => [
              { expr: firing(NOT_SCRAPED, 'component'), eval_time: t, exp_samples: [] },
              { expr: firing(DOWN, 'component'), eval_time: t, exp_samples: [] },
            ]),
          },
          {
            // The same install losing its identity pods still opens the not-scraped ticket: the quiet is not blindness.
            interval: '1m',
            input_series: coreOnly.filter((s) => !s.series.includes('component="identity"')),
            promql_expr_test: [{ expr: firing(NOT_SCRAPED, 'component'), eval_time: '12m', exp_samples: [{ labels: '{component="identity"}', value: 1 }] }],
          },
        ],
      });
      expect(r.ok, `${version}: ${r.output}`).toBe(true);
    }
  });

  it('the control-plane resource plan only watches the Viz Prometheus where the scrape reaches it', () => {
    const planned = (version: string, linkerd: Omit<Linkerd, 'version'>) => {
      const config = validateConfig({ cluster: 'test', linkerd: { ...linkerd, version: version as never } }, 'test.yaml');
      const text = generate(config, 'test.yaml').files.get('prometheus/linkerd-slo-test.rules.yaml')!;
      return text.includes('component="prometheus"');
    };
    expect(planned('2.19', podMonitor)).toBe(false);
    expect(planned('2.20', podMonitor)).toBe(false);
    expect(planned('2.18', podMonitor)).toBe(true);
    expect(planned('2.19', {})).toBe(true);
    expect(planned('2.20', {})).toBe(true);
  });

  it('with the viz job on 2.20 and the PodMonitor on 2.18 (both keep viz ports), a missing viz container is still a ticket', () => {
    const vizMissing = (up: (t: { container: string; pod: string; port: number }, i: number) => { series: string; values: string }) =>
      [...CORE_2_19, ...VIZ.filter((t) => t.container !== 'tap')].map((t, i) => up(t, i));
    const cases: Array<[string, Omit<Linkerd, 'version'>, ReturnType<typeof vizMissing>]> = [
      ['2.20', {}, vizMissing((t, i) => vizJobUp(t, i, '1x40'))],
      ['2.18', podMonitor, vizMissing((t, i) => podMonitorUp(VIZ.includes(t) ? 'linkerd-viz' : 'linkerd', t, i, '1x40'))],
    ];
    for (const [version, linkerd, input] of cases) {
      const r = testRules(rules(version, linkerd), {
        tests: [{ interval: '1m', input_series: input, promql_expr_test: [{ expr: firing(NOT_SCRAPED, 'component'), eval_time: '12m', exp_samples: [{ labels: '{component="tap"}', value: 1 }] }] }],
      });
      expect(r.ok, `${version}: ${r.output}`).toBe(true);
    }
  });
});

// ---- policy on 2.13–2.14 --------------------------------------------------------------------------

describe('policy is monitored from 2.13 (issue #11 item 4)', () => {
  beforeAll(requirePromtool);

  it('a down policy container on 2.13 and 2.14 opens LinkerdControlPlaneComponentDown; healthy stays quiet', () => {
    // stable-2.13.0 destination pod: destination 9996, sp-validator 9997, policy 9990 (admin-http, /metrics since #10645).
    const core = [
      { container: 'destination', port: 9996 },
      { container: 'sp-validator', port: 9997 },
      { container: 'policy', port: 9990 },
      { container: 'identity', port: 9990 },
      { container: 'proxy-injector', port: 9995 },
      { container: 'metrics-api', port: 9995 },
      { container: 'tap', port: 9998 },
      { container: 'tap-injector', port: 9995 },
      { container: 'web', port: 9994 },
    ];
    for (const version of ['2.13', '2.14']) {
      const r = testRules(rules(version), {
        tests: [
          {
            interval: '1m',
            input_series: core.map((t, i) => vizJobUp(t, i, t.container === 'policy' ? '1x4 0x40' : '1x45')),
            promql_expr_test: [
              { expr: firing(DOWN, 'severity, component'), eval_time: '12m', exp_samples: [] },
              { expr: firing(DOWN, 'severity, component'), eval_time: '25m', exp_samples: [{ labels: '{severity="warning", component="policy"}', value: 1 }] },
            ],
          },
          {
            interval: '1m',
            input_series: core.map((t, i) => vizJobUp(t, i, '1x45')),
            promql_expr_test: [
              { expr: firing(DOWN, 'component'), eval_time: '30m', exp_samples: [] },
              { expr: firing(NOT_SCRAPED, 'component'), eval_time: '30m', exp_samples: [] },
            ],
          },
        ],
      });
      expect(r.ok, `${version}: ${r.output}`).toBe(true);
    }
  });
});
