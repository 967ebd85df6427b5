/**
 * Certificate expiry, the most common cause of Linkerd downtime. Not a ratio SLO: plain
 * threshold alerts on the remaining validity of each certificate class, from whichever sources
 * the user has (reference: linkerd/linkerd2-proxy PRs #2617, #2887, https://linkerd.io/2.18/features/automatic-mtls/, samber/awesome-prometheus-alerts `_data/rules.yml` item 4).
 * One file per source, each with its rules, promtool fixtures and panels (source.ts has the contract):
 *  - proxy.ts: every proxy's own leaf certificate, (control_)identity_cert_expiration_timestamp_seconds,
 *    plus refresh errors (2.15+);
 *  - issuer.ts: the identity controller's issuer_cert_ttl_seconds (2.18+);
 *  - cert-manager.ts: renewal overdue (works for a 48h issuer, unlike fixed day thresholds) and not ready;
 *  - x509.ts: x509-certificate-exporter's x509_cert_not_after of the trust anchor, issuer and webhook objects;
 *  - node-clock.ts (optional): node clock skew, which makes proxies reject valid certificates;
 *  - per enabled source, an absent() ticket so a missing exporter is noticed.
 * This module only assembles them. The recording rule is the proxy source's one pass over the per-pod gauge.
 */
import { normalDuration } from '../../promql/number.js';
import type { Config } from '../../config/schema.js';
import type { ConfigIssue } from '../../config/errors.js';
import type { RuleGroup } from '../../rules.js';
import type { BuildContext, KindOutput, Runbook, SloKind } from '../kind.js';
import { linkerdTemplateFacts } from '../template-facts.js';
import { configSection } from './config.js';
import { certificateRows } from './panels.js';
import { unitTests } from './scenarios.js';
import { CERTIFICATE_ALERTS, emptyOutput, KIND_ID, templates, type CertificateSource } from './source.js';
import { proxyCertificates } from './proxy.js';
import { identityIssuer } from './issuer.js';
import { certManagerSource } from './cert-manager.js';
import { x509Exporter } from './x509.js';
import { nodeClockSource } from './node-clock.js';

const CERTIFICATE_RULE_GROUP = 'linkerd-slo-certificates';

/** In output order: rules, fixtures and panels come out source by source in this order. */
const SOURCES: readonly CertificateSource[] = [proxyCertificates, identityIssuer, certManagerSource, x509Exporter, nodeClockSource];

export const certificates: SloKind<typeof configSection> = {
  config: configSection,
  alertLabels: ['certificate'],
  id: KIND_ID,
  title: 'Certificate expiry',
  enabled: (config: Config) => config.slos.certificates.enabled,
  standingRows: (ctx) => certificateRows(ctx, SOURCES).map((row) => ({ ...row, dashboard: 'certificates' as const })),

  check(config: Config): ConfigIssue[] {
    if (!config.slos.certificates.enabled) return [];
    const issues = SOURCES.flatMap((source) => source.check(config));
    if (!SOURCES.some((source) => source.active(config))) {
      issues.push({ path: ['slos', 'certificates', 'enabled'], message: 'every certificate source is disabled (or unavailable for this Linkerd version); disable certificates instead (enabled: false)' });
    }
    return issues;
  },

  build(ctx: BuildContext): KindOutput {
    const out = emptyOutput();
    for (const source of SOURCES) source.build(ctx, out);
    const group: RuleGroup = { name: CERTIFICATE_RULE_GROUP, rules: [...out.recordings, ...out.alerts] };
    const facts = runbookFacts(ctx);
    const runbooks: Runbook[] = [...out.runbookAlerts].map((alert) => ({ alert, markdown: templates.runbook(alert, facts) }));
    return {
      ruleGroups: out.alerts.length ? [group] : [],
      dashboardRows: [
        ...(out.panels.length ? [{ title: 'Certificate expiry', panels: out.panels, dashboard: 'certificates' as const }] : []),
        ...out.rows,
      ],
      runbooks,
      unitTests: unitTests(out, ctx.config.slos.certificates.absentFor),
    };
  },
};

/** What every runbook reads: the control plane, then each source's own facts. */
function runbookFacts(ctx: BuildContext): Record<string, unknown> {
  const { config } = ctx;
  return {
    ...linkerdTemplateFacts(ctx),
    severities: config.alerting.severities,
    alerts: CERTIFICATE_ALERTS,
    absentFor: normalDuration(config.slos.certificates.absentFor),
    ...Object.assign({}, ...SOURCES.map((source) => source.runbookFacts(ctx))),
  };
}
