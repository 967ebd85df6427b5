// The same example as linkerd-slo.yaml, in TypeScript: `linkerd-slo generate --config examples/linkerd-slo.config.ts`.
import { defineConfig } from 'linkerd-slo';

export default defineConfig({
  cluster: 'prod-eu1',
  linkerd: { version: '2.20', namespace: 'linkerd', proxyJob: 'linkerd-proxy' },
  prometheus: {
    extraMatchers: { cluster: 'prod-eu1' },
    ruleLabels: { team: 'platform' },
  },
  kubernetes: { namespace: 'monitoring', release: 'kube-prometheus-stack' },
  alerting: {
    severities: { page: 'critical', ticket: 'warning' },
    runbookBaseUrl: 'https://github.com/linkerd-slo/linkerd-slo/blob/main/out/runbooks',
    grafanaBaseUrl: 'https://grafana.example.com',
    lowTraffic: { minRequests: 100 },
    // Planned work: Alertmanager mutes this bundle's pages and tickets meanwhile (docs/budget-policy.md).
    maintenance: [
      {
        name: 'mesh-upgrades',
        time_intervals: [{ weekdays: ['tuesday'], times: [{ start_time: '06:00', end_time: '07:00' }], location: 'Europe/Berlin' }],
        mute: ['page', 'ticket'],
        excludeFromBudget: false,
      },
    ],
  },
  slos: {
    controlPlaneSuccessRate: { objective: 99.9, period: '30d' },
    workloads: {
      defaults: { class: 'HIGH_FAST', period: '30d' },
      list: [
        { namespace: 'emojivoto', deployment: 'web' },
        { namespace: 'emojivoto', deployment: 'emoji' },
        { namespace: 'emojivoto', deployment: 'voting', class: 'HIGH_SLOW' },
        { namespace: 'payments', statefulset: 'ledger', class: 'CRITICAL' },
      ],
    },
  },
});
