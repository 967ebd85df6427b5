/**
 * linkerd.histograms: native, on Prometheus 3's rule engine (promtool test rules), with the proxy's
 * response_latency_ms written as native histograms with custom buckets (what Prometheus 3 stores with
 * convert_classic_histograms_to_nhcb: true) on Linkerd's label sets, including the admin port's
 * inbound traffic (probes, scrapes on 4191) the SLI must ignore. Asserted on the recorded slow-response rate:
 *  - an idle window records 0, not NaN (histogram_fraction of an empty histogram is NaN, and a NaN
 *    tile would poison every window summed over it);
 *  - with traffic, exactly the responses above the 1000 ms bound (no interpolation at a bucket bound).
 * Debian's promtool 2.42 cannot read native-histogram test input, so only Prometheus 3 runs this;
 * skipped with a printed reason when it is not built.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { resolveConfig } from '../src/config/load.js';
import { generateBundle } from '../src/generate.js';
import { enginePath, engineRelease } from './support/engines.js';

const promtool3 = enginePath('promtool');
const skip = promtool3 ? undefined : `Prometheus ${engineRelease('promtool')} promtool not built (node scripts/engines.mjs): native-histogram test input needs Prometheus 3`;
if (skip) console.log(`native-histogram-rules: skipped: ${skip}`);

/** Linkerd's bounds (linkerd/linkerd2-proxy linkerd/metrics/src/latency.rs), written out independently. */
const BOUNDS = '1 2 3 4 5 10 20 30 40 50 100 200 300 400 500 1000 2000 3000 4000 5000 10000 20000 30000 40000 50000';

/** A native histogram with Linkerd's bounds: `perBucket` observations per minute in these bucket indexes (0 = le 1 ms, 25 = +Inf). */
function nhcb(perMinute: Record<number, number>): string {
  const buckets = Array.from({ length: 26 }, (_, i) => perMinute[i] ?? 0);
  const count = buckets.reduce((a, b) => a + b, 0);
  return `{{schema:-53 sum:${count * 100} count:${count} custom_values:[${BOUNDS}] buckets:[${buckets.join(' ')}]}}`;
}
const EMPTY = nhcb({});

function series(port: number, pod: string): string {
  return `response_latency_ms{job="linkerd-proxy", namespace="linkerd", pod="${pod}", control_plane_component="identity", ` +
    `direction="inbound", target_addr="10.0.0.7:${port}", target_ip="10.0.0.7", target_port="${port}", tls="true", status_code="200"}`;
}

function nativeRules(): string {
  const off = { enabled: false };
  const config = resolveConfig({
    cluster: 'nh',
    linkerd: { version: '2.18', histograms: 'native' },
    slos: {
      controlPlaneLatency: { components: ['identity'], thresholdMs: 1000, spike: off, volumeChange: off },
      controlPlaneSuccessRate: off, controlPlaneAvailability: off, proxyResources: off, certificates: off,
    },
  }, 'nh.yaml');
  return generateBundle(config, 'nh.yaml').files.get('prometheus/linkerd-slo-nh.rules.yaml')!;
}

const ERRORS = 'linkerd_slo:sli_errors:rate5m{slo="control-plane-latency", component="identity"}';
const LABELS = '{slo="control-plane-latency", sli="server", component="identity"}';

describe.skipIf(!!skip)('native-histogram latency rules on Prometheus 3', () => {
  it('records 0 slow responses on an idle window and exactly those above 1000 ms with traffic', () => {
    // 20 minutes idle (the histogram exists, nothing observed), then per minute: 60 at ≤ 1000 ms
    // (bucket 15, le 1000: the bound itself is fast) and 6 slower (bucket 16, le 2000); the admin port
    // serves 30 fast probes a minute throughout and an idle one slow scrape (ignored: not port 8080).
    const slowMinute = nhcb({ 15: 60, 16: 6 });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series: series(8080, 'identity-1'), values: `${EMPTY}x20 ${slowMinute}+${slowMinute}x20` },
          { series: series(4191, 'identity-1'), values: `${EMPTY}+${nhcb({ 3: 30, 20: 1 })}x40` },
        ],
        promql_expr_test: [
          // Per million per second, rounded: fraction × count leaves float noise in the 16th digit.
          { expr: `round(${ERRORS} * 1e6)`, eval_time: '15m', exp_samples: [{ labels: LABELS, value: 0 }] },
          { expr: `round(${ERRORS} * 1e6)`, eval_time: '35m', exp_samples: [{ labels: LABELS, value: 100000 }] },
        ],
      }],
    };
    const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-nh-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), nativeRules());
      writeFileSync(join(dir, 'tests.yaml'), dump(tests, { lineWidth: -1 }));
      const r = spawnSync(promtool3!, ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A meshed workload's proxy as the linkerd-proxy job labels it (Deployment web in shop), one series per direction and port. */
function workloadSeries(direction: 'inbound' | 'outbound', port: number): string {
  const target = direction === 'inbound' ? `target_addr="10.0.1.5:${port}", target_ip="10.0.1.5", target_port="${port}"` : `dst_namespace="shop", dst_service="cart", target_addr="10.0.2.9:${port}", target_ip="10.0.2.9", target_port="${port}"`;
  return `response_latency_ms{job="linkerd-proxy", namespace="shop", pod="web-5d8f7c9b7-x2x4q", pod_template_hash="5d8f7c9b7", deployment="web", ` +
    `control_plane_ns="linkerd", direction="${direction}", ${target}, tls="true", status_code="200"}`;
}

function workloadRules(): string {
  const config = resolveConfig({
    cluster: 'nh',
    linkerd: { version: '2.18', histograms: 'native' },
    slos: { workloads: { list: [{ namespace: 'shop', deployment: 'web' }] } },
  }, 'nh.yaml');
  return generateBundle(config, 'nh.yaml').files.get('prometheus/linkerd-slo-nh.rules.yaml')!;
}

function promtoolTest(rules: string, tests: unknown): void {
  const dir = mkdtempSync(join(tmpdir(), 'linkerd-slo-nh-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), rules);
    writeFileSync(join(dir, 'tests.yaml'), dump(tests, { lineWidth: -1 }));
    const r = spawnSync(promtool3!, ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!!skip)('native-histogram workload latency rules on Prometheus 3', () => {
  it('counts only inbound, non-admin responses slower than the class threshold; p99 from the recorded histogram', () => {
    // The default class measures latency at 200 ms (bucket 11, le 200: the bound itself is fast).
    // 20 minutes idle, then per minute 60 at ≤ 200 ms and 6 in (200, 300] on port 8080. Ignored: the
    // admin port's slow scrapes and the pod's own slow outbound calls.
    const minute = nhcb({ 11: 60, 12: 6 });
    const errors = 'sum by (namespace, deployment) (linkerd_slo:sli_errors:rate5m{slo="workload-latency"})';
    const p99 = 'histogram_quantile(0.99, sum by (namespace, deployment) (linkerd_slo:workload_response_latency_ms:rate5m))';
    promtoolTest(workloadRules(), {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series: workloadSeries('inbound', 8080), values: `${EMPTY}x20 ${minute}+${minute}x20` },
          { series: workloadSeries('inbound', 4191), values: `${EMPTY}+${nhcb({ 2: 30, 19: 2 })}x40` },
          { series: workloadSeries('outbound', 8080), values: `${EMPTY}+${nhcb({ 22: 50 })}x40` },
          { series: 'process_start_time_seconds{job="linkerd-proxy", namespace="shop", pod="web-5d8f7c9b7-x2x4q", deployment="web"}', values: '1700000000x40' },
        ],
        promql_expr_test: [
          { expr: `round(${errors} * 1e6)`, eval_time: '15m', exp_samples: [{ labels: '{namespace="shop", deployment="web"}', value: 0 }] },
          { expr: `round(${errors} * 1e6)`, eval_time: '35m', exp_samples: [{ labels: '{namespace="shop", deployment="web"}', value: 100000 }] },
          // Rank 0.99 × 66 = 65.34 lies 5.34 of 6 into (200, 300]: 200 + 100 × 5.34 / 6 = 289.
          { expr: `round(${p99})`, eval_time: '35m', exp_samples: [{ labels: '{namespace="shop", deployment="web"}', value: 289 }] },
        ],
      }],
    });
  });
});

if (skip) {
  describe('native-histogram latency rules', () => {
    it.skip(`skipped: ${skip}`, () => undefined);
  });
}
