/**
 * Data-plane version skew from proxy_build_info: proxies from a release more than maxReleasesBehind
 * releases behind the control plane ticket; the proxy-versions panel shows every version running.
 *
 * What the skew alert measures: PromQL cannot turn a label into a number, but the boundary is known
 * at generation time. Each Linkerd release pins one proxy version (PROXY_MINOR), proxy minors grow
 * monotonically, so "a proxy from a release more than maxReleasesBehind releases behind 2.N" is
 * exactly "proxy minor < PROXY_MINOR[2.(N − maxReleasesBehind)]". Proxies from v2.205 carry a `version`
 * label, matched with a regex over the integers below that bound. Older proxies (every Linkerd ≤ 2.13
 * proxy) carry no `version`, only `git_version`/`git_sha` (catalog.ts PROXY_VERSION_LABEL_SINCE): when the
 * bound is at or above v2.205 each of them is too old; below it, one is too old when its `git_version`
 * names an older release tag or its `git_sha` is the commit of one (proxy-releases.ts). Proxies whose
 * build is none of these (dev builds, vendor builds) are ignored; proxies newer than the control plane
 * are not flagged.
 */
import { aggregate, binary, eq, num, or, re, type Expr, type Matcher, type Selector } from '../../promql/ast.js';
import { normalDuration } from '../../promql/number.js';
import type { PanelSpec } from '../../dashboard-model.js';
import type { LintExemption } from '../../rules.js';
import { minor, PROXY_MINOR, PROXY_VERSION_LABEL_SINCE, releaseCommitsBefore, upgradeGuideUrl, type LinkerdVersion } from '../../linkerd/catalog.js';
import { PRE_VERSION_LABEL_RELEASE_COMMITS } from '../../linkerd/proxy-releases.js';
import { withProxyVersion } from '../../linkerd/proxy-version.js';
import type { BuildContext } from '../kind.js';
import { fixtureLabels, gauge, minutesOf, type ScenarioSeries } from '../promtool-tests.js';
import { AVAILABILITY_ALERTS, AVAILABILITY_METRICS } from './names.js';
import type { AvailabilityAlerts } from './alert-set.js';
import { FILTERS, type SourceScenario } from './fixtures.js';

/** The oldest release whose proxies are still within the allowed skew, and its pinned proxy minor. */
export interface SkewFloor {
  readonly release: string;
  readonly proxyMinor: number;
}

/**
 * A regular expression matching the decimal integers 0 … limit−1 (no leading zeros), e.g. 268 →
 * `[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-5][0-9]|26[0-7]`. How a label value is compared with a number.
 */
export function integerBelowRegex(limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`integerBelowRegex needs a positive integer, got ${limit}`);
  const digits = String(limit);
  const alternatives: string[] = [];
  const anyDigits = (n: number) => (n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`);
  for (let len = 1; len < digits.length; len++) alternatives.push(len === 1 ? '[0-9]' : `[1-9]${anyDigits(len - 1)}`);
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    const lowest = i === 0 && digits.length > 1 ? 1 : 0;
    if (d - 1 < lowest) continue;
    const cls = d - 1 === lowest ? String(lowest) : `[${lowest}-${d - 1}]`;
    alternatives.push(`${digits.slice(0, i)}${cls}${anyDigits(digits.length - i - 1)}`);
  }
  return alternatives.join('|');
}

/** The oldest release whose proxies are still within the allowed skew, or undefined when the catalog does not reach back that far. */
export function skewFloor(version: LinkerdVersion, maxReleasesBehind: number): SkewFloor | undefined {
  const release = `2.${minor(version) - maxReleasesBehind}`;
  const proxyMinor = PROXY_MINOR[release];
  return proxyMinor === undefined ? undefined : { release, proxyMinor };
}

/** Regex on proxy_build_info's version label for proxies older than the floor's pinned proxy. */
export function oldProxyVersionRegex(proxyMinor: number): string {
  return `v?2\\.(?:${integerBelowRegex(proxyMinor)})\\..*`;
}

/**
 * Proxies older than the release pinning proxy minor `floorMinor`, each with a `version` label
 * (withProxyVersion). `buildInfo` adds the job and extra matchers.
 */
function oldProxies(buildInfo: (matchers: readonly Matcher[]) => Selector, floorMinor: number): Expr {
  const versionless = (more: readonly Matcher[] = []) => buildInfo([eq('version', ''), ...more]);
  if (floorMinor >= PROXY_VERSION_LABEL_SINCE) {
    // Every versionless proxy predates v2.205, hence the floor; labelled ones below the floor exist only above v2.205.
    const all = withProxyVersion(versionless());
    return floorMinor > PROXY_VERSION_LABEL_SINCE ? or(buildInfo([re('version', oldProxyVersionRegex(floorMinor))]), all) : all;
  }
  // Only versionless proxies can be older: known by the release tag in git_version, or by the tag's commit.
  const byTag = versionless([re('git_version', `(?:release/)?${oldProxyVersionRegex(floorMinor)}`)]);
  const byCommit = versionless([re('git_sha', `(?:${releaseCommitsBefore(floorMinor).join('|')})[0-9a-f]*`)]);
  return withProxyVersion(or(byTag, byCommit));
}

/**
 * pint's online promql/series reports a selector whose label value no series has: the skew alert selects
 * exactly the proxy versions (or, before v2.205, release tags and commits) a mesh that keeps up has none of.
 */
function skewLint(floorMinor: number): LintExemption[] {
  const labels = floorMinor >= PROXY_VERSION_LABEL_SINCE ? ['version'] : ['version', 'git_version', 'git_sha'];
  return labels.map((label) => ({
    check: 'promql/series',
    set: `ignore/label-value ${label}`,
    reason: `the alert selects the ${label} values of proxies older than the allowed skew, which a mesh that keeps up has none of`,
  }));
}

/** The skew ticket, when it is on and the catalog reaches back to its floor. */
export function versionSkewAlert(ctx: BuildContext, alerts: AvailabilityAlerts, floor: SkewFloor | undefined): void {
  const skew = ctx.config.slos.controlPlaneAvailability.versionSkew;
  if (!skew.enabled || !floor) return;
  const old = oldProxies((matchers) => ctx.proxySelector(AVAILABILITY_METRICS.buildInfo, matchers), floor.proxyMinor);
  // "> 0" changes no result (a count is at least 1) but says what fires: a rule with no condition reads as
  // always firing (pint alerts/comparison).
  const oldCount = aggregate('count', old, { by: [...ctx.clusterLabels, 'namespace', 'version'] });
  alerts.add({
    name: AVAILABILITY_ALERTS.versionSkew,
    severity: 'ticket',
    expr: binary('>', oldCount, num(0)),
    for: skew.for,
    template: 'skew',
    text: {
      floorRelease: floor.release,
      floorProxy: `v2.${floor.proxyMinor}.0`,
      maxReleasesBehind: skew.maxReleasesBehind,
      skewFor: normalDuration(skew.for),
      upgradeUrl: upgradeGuideUrl(ctx.facts.version),
      versionLabelSince: `v2.${PROXY_VERSION_LABEL_SINCE}`,
    },
    lint: skewLint(floor.proxyMinor),
  });
}

/** Meshed proxies per version, whether or not the skew alert is on. */
export function proxyVersionsPanel(ctx: BuildContext, floor: SkewFloor | undefined): PanelSpec {
  const { facts } = ctx;
  return {
    title: 'Proxy versions',
    description:
      `Meshed proxies per proxy version (${AVAILABILITY_METRICS.buildInfo}). Linkerd ${facts.version} ships v2.${PROXY_MINOR[facts.version]}.x` +
      (floor ? `; proxies older than v2.${floor.proxyMinor}.0 (Linkerd ${floor.release}) are beyond the allowed skew and open LinkerdProxyVersionSkew.` : '.') +
      ' Proxies before v2.205 (Linkerd 2.13 and older) report no version: they show their git_version, a release tag or the commit they were built from (a linkerd2-proxy release/v2.x tag).' +
      ' Several versions side by side for long means pods that were never restarted after an upgrade.',
    type: 'timeseries',
    unit: 'none',
    queries: [{ expr: aggregate('count', withProxyVersion(ctx.proxySelector(AVAILABILITY_METRICS.buildInfo)), { by: [...ctx.clusterLabels, 'version'] }), legend: '{{version}}' }],
    min: 0,
    width: 12,
  };
}

/**
 * Proxy minors a fixture can use: released proxies with a `version` label are any minor from v2.205;
 * before, only tagged releases (whose commits proxy-releases.ts knows).
 */
const PROXY_MINORS_OF_RELEASES: readonly number[] = [
  ...PRE_VERSION_LABEL_RELEASE_COMMITS.map(([m]) => m),
  ...Object.values(PROXY_MINOR).filter((m) => m >= PROXY_VERSION_LABEL_SINCE),
].sort((x, y) => x - y);

/** A proxy of the given minor as it reports itself: `version` from v2.205, else its release tag's commit. */
function proxyFixture(ctx: BuildContext, namespace: string, pod: string, proxyMinor: number): { series: ScenarioSeries; version: string } {
  const base = fixtureLabels(ctx.proxySelector(AVAILABILITY_METRICS.buildInfo), {}, { namespace, pod });
  if (proxyMinor >= PROXY_VERSION_LABEL_SINCE) {
    const version = `2.${proxyMinor}.0`;
    return { series: { labels: { ...base, version, git_sha: 'fixture', profile: 'release', vendor: 'linkerd' }, values: gauge(1) }, version };
  }
  const commit = PRE_VERSION_LABEL_RELEASE_COMMITS.find(([m]) => m === proxyMinor)?.[1][0];
  if (!commit) throw new Error(`no release commit of proxy v2.${proxyMinor} in proxy-releases.ts`);
  return { series: { labels: { ...base, git_branch: 'HEAD', git_sha: commit, git_version: commit, profile: 'release' }, values: gauge(1) }, version: commit };
}

/**
 * The newest release proxy below the floor tickets; proxies of the current release and of the oldest
 * one still allowed stay quiet (they are the healthy scenario's proxies too, skew alert on or off).
 * `floor` is undefined while the alert is off.
 */
export function versionSkewScenario(ctx: BuildContext, floor: SkewFloor | undefined): SourceScenario {
  const currentMinor = PROXY_MINOR[ctx.facts.version]!;
  const floorMinor = floor?.proxyMinor ?? currentMinor;
  const healthy = [proxyFixture(ctx, 'app', 'current', currentMinor).series, ...(floorMinor !== currentMinor ? [proxyFixture(ctx, 'app', 'at-floor', floorMinor).series] : [])];
  // Its quiet case is in the firing scenario, which runs past its `for`.
  if (!floor) return { firing: [], checks: [], stories: [], healthy, quietAfter: 0 };
  const oldMinor = [...PROXY_MINORS_OF_RELEASES].reverse().find((m) => m < floor.proxyMinor)!;
  const old = proxyFixture(ctx, 'legacy', 'old', oldMinor);
  const at = minutesOf(ctx.config.slos.controlPlaneAvailability.versionSkew.for) + 2;
  const by = ['namespace', 'version'];
  const shown = (m: number) => `v2.${m}`;
  return {
    firing: [...healthy, old.series],
    checks: [
      { alert: AVAILABILITY_ALERTS.versionSkew, filters: FILTERS, by, at, rows: [{ namespace: 'legacy', version: old.version }] },
      { alert: AVAILABILITY_ALERTS.versionSkew, filters: { ...FILTERS, namespace: 'app' }, by, at, rows: [] },
    ],
    stories: [`a ${shown(oldMinor)} proxy (older than Linkerd ${floor.release}) tickets, ${floorMinor === currentMinor ? shown(currentMinor) : `${shown(currentMinor)} and ${shown(floorMinor)}`} do not`],
    healthy,
    quietAfter: 0,
  };
}
