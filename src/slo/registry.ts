/** Every SLO kind, in output order. Adding a kind means adding its module here. */
import type { Config } from '../config/schema.js';
import type { ConfigIssue } from '../config/errors.js';
import { successRate } from './success-rate/index.js';
import { certificates } from './certificates/index.js';
import { latency } from './latency/index.js';
import { availability } from './availability/index.js';
import { proxyResources } from './proxy-resources/index.js';
import { workloads } from './workloads/index.js';
import { custom } from './custom/index.js';
import { mesh } from './mesh/index.js';

/** mesh last: a panel-only kind whose standing rows are the dashboards' rows no SLO kind owns. */
export const KINDS = [successRate, certificates, latency, availability, proxyResources, workloads, custom, mesh] as const;

/** Reserved label names our rules set themselves; user rule labels must not clash. */
const RESERVED_LABELS = ['slo', 'sli', 'component', 'severity', 'long', 'short', 'period', 'certificate', 'source', 'resource', 'class', 'workload'];

export function checkConfig(config: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const label of Object.keys(config.prometheus.ruleLabels)) {
    if (RESERVED_LABELS.includes(label)) {
      issues.push({ path: ['prometheus', 'ruleLabels', label], atKey: true, message: `label "${label}" is set by linkerd-slo itself; choose another name` });
    }
  }
  if (config.alerting.severities.page === config.alerting.severities.ticket) {
    issues.push({
      path: ['alerting', 'severities', 'ticket'],
      message: `page and ticket severities are both "${config.alerting.severities.page}": the page and ticket versions of an alert are told apart by this label; route one of them differently in Alertmanager instead`,
    });
  }
  for (const kind of KINDS) issues.push(...kind.check(config));
  return issues;
}
