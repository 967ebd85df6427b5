/**
 * Expanding recordings on hand-written rules (not the generator's): the text is what a person would
 * write for "the recording's expression, with its labels, where the selector wanted it", and it parses.
 */
import { describe, expect, it } from 'vitest';
import { call, eq, inline, re, nre, selector, sum, rate, div, range } from '../src/promql/ast.js';
import { validatePromQL } from '../src/promql/validate.js';
import { literalAlternatives, recordingExpander } from '../src/backtest/expand-recordings.js';
import { alertStates } from '../src/backtest/semantics.js';
import type { RecordingRule } from '../src/rules.js';
import { dump } from 'js-yaml';
import { requirePromtool, testRules } from './support/promtool.js';

const raw = selector('response_total', [eq('job', 'linkerd-proxy')]);
const rules: RecordingRule[] = [
  { record: 'job:errors:rate5m', expr: sum(rate(raw, '5m'), ['cluster']), labels: { slo: 'a' } },
  { record: 'job:errors:rate5m', expr: sum(rate(raw, '5m'), ['cluster']), labels: { slo: 'b' } },
  { record: 'job:ratio', expr: div(selector('job:errors:rate5m', [eq('slo', 'a')]), selector('job:errors:rate5m', [eq('slo', 'b')])) },
];

describe('expanding recordings', () => {
  const expander = recordingExpander(rules, 30);

  it('picks the rules whose static labels match and sets those labels', () => {
    expect(inline(expander.expand(selector('job:errors:rate5m', [eq('slo', 'b')])))).toBe(
      'label_replace(sum by (cluster) (rate(response_total{job="linkerd-proxy"}[5m])), "slo", "b", "", "")',
    );
  });

  it('filters by labels the rule does not set, exactly, and a range becomes a subquery at the evaluation interval', () => {
    const text = inline(expander.expand(call('sum_over_time', range(selector('job:errors:rate5m', [eq('slo', 'a'), eq('cluster', 'east')]), '1h'))));
    expect(text).toBe(
      'sum_over_time(((label_replace(sum by (cluster) (rate(response_total{job="linkerd-proxy"}[5m])), "slo", "a", "", "")) and on (cluster) label_replace(vector(1), "cluster", "east", "", ""))[1h:30s])',
    );
    expect(validatePromQL(text)).toEqual([]);
  });

  it('expands recordings of recordings, and several matching rules with or', () => {
    const nested = inline(expander.expand(selector('job:ratio')));
    expect(nested).not.toContain('job:');
    expect(validatePromQL(nested)).toEqual([]);
    const both = inline(expander.expand(selector('job:errors:rate5m', [re('slo', 'a|b')])));
    expect(both.split(' or ')).toHaveLength(2);
    const none = inline(expander.expand(selector('job:errors:rate5m', [nre('slo', 'a|b')])));
    expect(none).toBe('vector(1) < 0');
  });

  it('accepts only literal alternatives as regex filters', () => {
    expect(literalAlternatives('destination|sp-validator|a\\.b')).toEqual(['destination', 'sp-validator', 'a.b']);
    expect(literalAlternatives('dest.*')).toBeUndefined();
    expect(literalAlternatives('a\\d')).toBeUndefined();
  });

  it('filters by any other regular expression on a label the rule keeps, with the regex evaluated by Prometheus', () => {
    const text = inline(expander.expand(selector('job:errors:rate5m', [eq('slo', 'a'), re('cluster', 'e.*')])));
    expect(text).toBe(
      'label_replace(label_replace(label_replace(sum by (cluster) (rate(response_total{job="linkerd-proxy"}[5m])), "slo", "a", "", ""), "linkerd_slo_inline_match", "1", "cluster", "e.*") and on (linkerd_slo_inline_match) label_replace(vector(1), "linkerd_slo_inline_match", "1", "", ""), "linkerd_slo_inline_match", "", "", "")',
    );
    expect(validatePromQL(text)).toEqual([]);
    expect(inline(expander.expand(selector('job:errors:rate5m', [eq('slo', 'a'), nre('cluster', 'e.*')])))).toContain(' unless on (linkerd_slo_inline_match) ');
  });
});

/**
 * The expanded regex filter against Prometheus' own rule engine (promtool test rules): the recording by
 * `addr` that the control-plane client SLI reads with a regex on the destination's address, as a
 * recorded selector and expanded, on hand-written series of three addresses (one matching).
 */
describe('an expanded regex matcher on a kept label, on the rule engine', () => {
  const recordings: RecordingRule[] = [
    { record: 'addr:control_response_total:rate5m', expr: sum(rate(selector('control_response_total', [eq('job', 'linkerd-proxy')]), '5m'), ['addr', 'classification']) },
  ];
  const matchers = [re('addr', 'linkerd-dst-headless\\.linkerd\\.svc\\..+:8086'), eq('classification', 'failure')];

  it.each([
    ['=~', matchers, [{ labels: '{addr="linkerd-dst-headless.linkerd.svc.cluster.local:8086", classification="failure"}', value: 1 }]],
    ['!~', [nre('addr', 'linkerd-dst-headless\\.linkerd\\.svc\\..+:8086'), eq('classification', 'failure')], [
      { labels: '{addr="linkerd-dst-headless.linkerd.svc.cluster.local:9996", classification="failure"}', value: 2 },
      { labels: '{addr="linkerd-policy.linkerd.svc.cluster.local:8090", classification="failure"}', value: 3 },
    ]],
  ] as const)('%s: the recorded selector and its expansion give the same samples', (_op, ms, expected) => {
    requirePromtool();
    const expanded = inline(recordingExpander(recordings, 60).expand(selector('addr:control_response_total:rate5m', [...ms])));
    const rec = inline(selector('addr:control_response_total:rate5m', [...ms]));
    const series = (addr: string, perMinute: number) => ({ series: `control_response_total{job="linkerd-proxy", addr="${addr}", classification="failure"}`, values: `0+${perMinute * 60}x20` });
    const tests = {
      tests: [
        {
          interval: '1m',
          input_series: [series('linkerd-dst-headless.linkerd.svc.cluster.local:8086', 1), series('linkerd-dst-headless.linkerd.svc.cluster.local:9996', 2), series('linkerd-policy.linkerd.svc.cluster.local:8090', 3)],
          // `+ 0` drops the recorded series' name, which the expanded expression does not have.
          promql_expr_test: [rec, expanded].map((expr) => ({ expr: `${expr} + 0`, eval_time: '10m', exp_samples: expected })),
        },
      ],
    };
    const r = testRules(dump({ groups: [{ name: 'r', rules: recordings.map((x) => ({ record: x.record, expr: inline(x.expr) })) }] }), tests);
    expect(r.ok, r.output).toBe(true);
  });
});

/**
 * The alert state machine on evaluations every 60 s, expectations worked out by hand from Prometheus'
 * documented semantics (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
 * `for` = pending until the condition has held that long at an evaluation; keep_firing_for = stay
 * firing that long after the condition is last gone.
 */
describe('alert state machine', () => {
  const evals = Array.from({ length: 20 }, (_, i) => 1000 + i * 60);
  const on = (...idx: number[]) => new Set(idx.map((i) => 1000 + i * 60));

  it('for 0: firing from the first evaluation, resolved at the first without the series', () => {
    expect(alertStates(evals, on(3, 4, 5), { forSeconds: 0 }, 60)).toEqual({ pending: [], firing: [[1180, 1360]] });
  });

  it('for 2m: pending for two evaluations, then firing; a gap resets it', () => {
    expect(alertStates(evals, on(2, 3, 4, 5, 6), { forSeconds: 120 }, 60)).toEqual({ pending: [[1120, 1240]], firing: [[1240, 1420]] });
    expect(alertStates(evals, on(2, 3, 5, 6, 7), { forSeconds: 120 }, 60)).toEqual({ pending: [[1120, 1240], [1300, 1420]], firing: [[1420, 1480]] });
  });

  it('keep_firing_for 2m: bridges a gap shorter than that, resolves after it', () => {
    expect(alertStates(evals, on(1, 2, 4, 5), { forSeconds: 0, keepFiringForSeconds: 120 }, 60)).toEqual({ pending: [], firing: [[1060, 1480]] });
    expect(alertStates(evals, on(1, 2, 6), { forSeconds: 0, keepFiringForSeconds: 120 }, 60)).toEqual({ pending: [], firing: [[1060, 1300], [1360, 1540]] });
  });

  it('an alert still active at the end is open until one step after the last evaluation', () => {
    expect(alertStates(evals, on(18, 19), { forSeconds: 60 }, 60)).toEqual({ pending: [[2080, 2140]], firing: [[2140, 2200]] });
  });
});
