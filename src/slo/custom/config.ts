/** The `slos.custom` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { MAX_DESCRIPTION, budgetPolicyOverride, k8sName, duration, objective } from '../../config/fields.js';
import type { ConfigSection } from '../../config/section.js';
import { METRIC_NAMES } from '../../linkerd/metric-names.js';

/**
 * Custom SLOs on any Prometheus counters (Pyrra's ratio indicator): bad events over all events,
 * given as PromQL counter selectors. Also what `linkerd-slo import-openslo` produces.
 */
const counterSelector = z.string().min(1);

const customConfig = z.array(
  z.strictObject({
    name: k8sName.describe('Name of the SLO: the `slo` label of its rules and alerts and the title of its dashboard row. A DNS label, unique among custom SLOs.'),
    description: z.string().max(MAX_DESCRIPTION).optional().describe('What the SLO promises, in words; shown in its runbook.'),
    objective: objective,
    period: duration.describe('SLO period (rolling window), e.g. 30d or 28d.'),
    errors: counterSelector
      .optional()
      .describe('Counter selector of bad events, e.g. http_requests_total{job="api",code=~"5.."}: a plain vector selector, no rate() or [range]. Set errors or good, not both.'),
    good: counterSelector
      .optional()
      .describe('Counter selector of good events, e.g. http_requests_total{job="api",code!~"5.."}; bad events are total − good. Set errors or good, not both.'),
    total: counterSelector.describe('Counter selector of all events, e.g. http_requests_total{job="api"}; a plain vector selector. Its absence raises LinkerdCustomSLOMetricsAbsent.'),
    budgetPolicy: budgetPolicyOverride,
  }),
);

export const configSection = {
  key: 'custom',
  schema: customConfig
    .default([])
    .describe('Custom ratio SLOs on any Prometheus counters (errors or good over total), alerted with the same multiwindow, multi-burn-rate table (alerting.windows). `linkerd-slo import-openslo` writes these.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts). No `off`: the kind generates nothing until it is given something to watch.
  examples: {
    allOptions: [
      {
        name: 'shop-web-inbound',
        objective: 99,
        period: '30d',
        errors: `${METRIC_NAMES.responses}{namespace="shop", direction="inbound", classification="failure"}`,
        total: `${METRIC_NAMES.responses}{namespace="shop", direction="inbound"}`,
      },
    ],
  },
} as const satisfies ConfigSection;
