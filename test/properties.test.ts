/**
 * Property tests over the config space: random but valid configs (versions, objectives,
 * periods, hostile label values) always generate, every expression parses, and matcher
 * values survive the round trip through escaping. Seeded, so failures reproduce.
 */
import { describe, expect, it } from 'vitest';
import { parser } from '@prometheus-io/lezer-promql';
import { validateConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { allExpressions, generate } from '../src/generate.js';
import { validatePromQL } from '../src/promql/validate.js';
import { prng } from '../tools/sim/mesh.js';
import { SUPPORTED_VERSIONS } from '../src/linkerd/catalog.js';

const HOSTILE = ['prod', 'a"b', 'back\\slash', 'new\nline', 'ünïcødé', '{x="y"}', '$1 ${x}', "it's", ' spaced '];

describe('random configs', () => {
  const rand = prng(20261123);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  it('always generate valid PromQL, or fail with a ConfigError (never a crash)', () => {
    let generated = 0;
    for (let i = 0; i < 60; i++) {
      const extra = pick(HOSTILE);
      const raw = {
        cluster: `c${i}`,
        linkerd: { version: pick(SUPPORTED_VERSIONS), namespace: pick(['linkerd', 'linkerd-prod', 'l5d']) },
        prometheus: { extraMatchers: rand() < 0.5 ? { cluster: extra } : {}, ruleLabels: { team: extra } },
        alerting: { lowTraffic: { minRequests: Math.floor(rand() * 1000) } },
        slos: { controlPlaneSuccessRate: { objective: pick([90, 95, 99, 99.5, 99.9, 99.95, 99.99]), period: pick(['7d', '28d', '30d', '90d']) } },
      };
      let config;
      try {
        config = validateConfig(raw, 'random.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        continue;
      }
      const gen = generate(config, 'random.yaml');
      generated++;
      for (const e of allExpressions(gen)) expect(validatePromQL(e.text), `${e.name}: ${e.text}`).toEqual([]);
      if (raw.prometheus.extraMatchers.cluster !== undefined) {
        // The value comes back out of the parsed PromQL string literal exactly as configured.
        const text = allExpressions(gen)[0]!.text;
        const strings: string[] = [];
        parser.parse(text).iterate({
          enter: (n) => {
            if (n.name === 'StringLiteral') strings.push(JSON.parse(text.slice(n.from, n.to).replace(/\\x([0-9a-f]{2})/g, '\\u00$1')) as string);
          },
        });
        expect(strings).toContain(extra);
      }
    }
    expect(generated).toBeGreaterThan(30);
  });
});
