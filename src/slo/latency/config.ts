/** The `slos.controlPlaneLatency` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { budgetPolicyOverride, duration, objective, servingPorts, latencyThresholdMs } from '../../config/fields.js';
import { SERVING_COMPONENTS } from '../../linkerd/catalog.js';
import type { ConfigSection } from '../../config/section.js';

const latencyConfig = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate this SLO.'),
  objective: objective.default(99),
  period: duration.default('30d').describe('SLO period (rolling window), e.g. 30d or 28d.'),
  components: z
    .array(z.enum(SERVING_COMPONENTS))
    .default(['identity'])
    .describe(
      'Components whose inbound response latency (time to first byte, seen by their own proxies) is measured. ' +
        'identity (default): Certify is a unary call, so its latency is the whole certificate issuance. ' +
        'destination and policy (opt-in): proxies hold long-lived watch streams, so their latency is the time to the first ' +
        'discovery/policy update, and a stream cancelled before its first update is recorded with its whole lifetime; ' +
        'enable them with a generous threshold.',
    ),
  thresholdMs: latencyThresholdMs.default(1000),
  componentThresholdMs: z
    .strictObject({
      destination: latencyThresholdMs.optional(),
      policy: latencyThresholdMs.optional(),
      identity: latencyThresholdMs.optional(),
    })
    .prefault({})
    .describe('Per-component override of thresholdMs, e.g. {destination: 2000}.'),
  budgetPolicy: budgetPolicyOverride,
  ports: servingPorts,
  spike: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when p99 latency spikes, before much budget is spent.'),
      factor: z
        .number()
        .gt(1)
        .default(3)
        .describe('Fire when the 5m p99 latency of a component exceeds factor × its threshold. factor × threshold must stay below 50000 ms, the largest finite bucket.'),
      for: duration.default('10m').describe('How long the p99 must stay above the limit before the ticket opens.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneLatencySpike: a ticket when the p99 latency exceeds a multiple of the threshold; respects alerting.lowTraffic over its 5m window.'),
  volumeChange: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Open a ticket when a component\'s request rate departs sharply from its baseline.'),
      window: duration.default('1h').describe('Window of the current request rate.'),
      baseline: duration.default('1d').describe('The baseline is the average of the current-window rate over this much history; must be longer than window.'),
      dropBelowPercent: z
        .number()
        .gt(0)
        .lt(100)
        .default(20)
        .describe('Fire when the current rate falls below this percent of the baseline (proxies may no longer reach the component).'),
      riseAboveFactor: z.number().gt(1).default(5).describe('Fire when the current rate exceeds this multiple of the baseline (mass restarts, reconnect storms).'),
      for: duration.default('15m').describe('How long the change must hold before the ticket opens.'),
    })
    .prefault({})
    .describe('LinkerdControlPlaneRequestVolumeChange: a ticket when request volume departs sharply from its recent baseline; respects alerting.lowTraffic over its window.'),
});

export const configSection = {
  key: 'controlPlaneLatency',
  schema: latencyConfig
    .prefault({})
    .describe('Latency of the Linkerd control plane: share of inbound responses (time to first byte) at or under a threshold, per component.'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts).
  examples: {
    allOptions: { components: ['identity', 'destination', 'policy'] },
    off: { enabled: false },
  },
} as const satisfies ConfigSection;
