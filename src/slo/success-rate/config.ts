/** The `slos.controlPlaneSuccessRate` section of the configuration (assembled by src/config/schema.ts from the registry). */
import { z } from 'zod';
import { budgetPolicyOverride, duration, objective, servingPorts } from '../../config/fields.js';
import { SERVING_COMPONENTS } from '../../linkerd/catalog.js';
import type { ConfigSection } from '../../config/section.js';

const successRate = z.strictObject({
  enabled: z.boolean().default(true).describe('Generate this SLO.'),
  objective: objective.default(99.9),
  period: duration.default('30d').describe('SLO period (rolling window), e.g. 30d or 28d.'),
  components: z
    .array(z.enum(SERVING_COMPONENTS))
    .default([...SERVING_COMPONENTS])
    .describe('Server side: control-plane components whose inbound gRPC/HTTP responses (seen by their own proxies) are measured.'),
  clientSide: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Also measure how every meshed proxy experiences the control plane (control_response_total).'),
      objective: objective.default(99.9),
      components: z.array(z.enum(SERVING_COMPONENTS)).default([...SERVING_COMPONENTS]),
    })
    .prefault({})
    .describe('Client side: control_response_total from every proxy, per control-plane service it calls.'),
  ports: servingPorts,
  budgetPolicy: budgetPolicyOverride,
});

export const configSection = {
  key: 'controlPlaneSuccessRate',
  schema: successRate
    .prefault({}).describe('Success rate of the Linkerd control plane (destination, policy, identity).'),
  // Inputs the test suites assemble from the registry (ConfigSection.examples, test/support/kinds.ts).
  examples: {
    allOptions: { clientSide: { enabled: true } },
    off: { enabled: false },
  },
} as const satisfies ConfigSection;
