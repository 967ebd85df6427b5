/**
 * Our selectors against a real Linkerd proxy scrape (shared/anchors/linkerd-proxy-scrape, a
 * fixture of linkerd/linkerd2). Runs when ../shared is beside the project (CI always has it).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateConfig } from '../src/config/load.js';
import { generate } from '../src/generate.js';
import { testRules } from './support/promtool.js';

const SCRAPE = resolve(import.meta.dirname, '..', '..', 'shared', 'anchors', 'linkerd-proxy-scrape', 'sampleMetrics.txt');
const present = existsSync(SCRAPE);
if (!present) console.log(`skipped: ${SCRAPE} not found (the anchors live in ../shared beside the project)`);

/** Target labels the standard linkerd-proxy scrape config adds (linkerd/linkerd2 `viz/charts/linkerd-viz/templates/prometheus.yaml` at version-2.18). */
const TARGET = 'job="linkerd-proxy",namespace="emojivoto",pod="web-7f9b6c8d5-x2x7q",deployment="web",control_plane_ns="linkerd"';

function seriesOf(family: string): string[] {
  return readFileSync(SCRAPE, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${family}{`))
    .map((l) => l.slice(0, l.lastIndexOf(' ')).replace(`${family}{`, `${family}{${TARGET},`));
}

describe.skipIf(!present)('against a real proxy scrape', () => {
  it('the client-side SLI sees the real control_response_total addr labels', () => {
    const series = seriesOf('control_response_total');
    expect(series.length).toBeGreaterThan(0);
    const rules = generate(validateConfig({ cluster: 'anchor', linkerd: { version: '2.11' } }, 'a.yaml'), 'a.yaml').files.get('prometheus/linkerd-slo-anchor.rules.yaml')!;
    const r = testRules(rules, {
      tests: [
        {
          interval: '1m',
          input_series: series.map((s) => ({ series: s, values: '0+10x30' })),
          promql_expr_test: [
            {
              expr: 'count by (component) (linkerd_slo:sli_requests:rate5m{sli="client"} > 0)',
              eval_time: '20m',
              // The policy watch in this scrape had not completed a response yet (control_request_total
              // only): long-lived streams count when they end, which is why the client side has no
              // metrics-absent alert.
              exp_samples: ['destination', 'identity'].map((c) => ({ labels: `{component="${c}"}`, value: 1 })),
            },
          ],
        },
      ],
    });
    expect(r.ok, r.output).toBe(true);
  });

  it('the labels our server-side selector relies on exist on real inbound response_total series', () => {
    const line = seriesOf('response_total').find((s) => s.includes('direction="inbound"'));
    expect(line).toBeDefined();
    for (const label of ['direction=', 'target_port=', 'classification=']) expect(line).toContain(label);
  });
});
