/**
 * OpenMetrics history (for promtool backfill) of the exporters linkerd-slo's optional sources read,
 * healthy throughout, written from each exporter's documented series and labels (not from the
 * generator's selectors):
 *  - cert-manager (https://cert-manager.io/docs/devops-tips/prometheus-metrics/): certmanager_certificate_*
 *    with the Certificate's namespace as exported_namespace (the pod's own namespace label wins);
 *  - enix x509-certificate-exporter (https://github.com/enix/x509-certificate-exporter#metrics): x509_cert_not_after
 *    with secret_* or configmap_* labels of what it watches;
 *  - node-exporter's timex collector: node_timex_offset_seconds, node_timex_maxerror_seconds, node_timex_sync_status;
 *  - kube-state-metrics (https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics): kube_deployment_status_replicas_available,
 *    kube_pod_container_info, kube_pod_container_resource_limits;
 *  - cAdvisor: container_memory_working_set_bytes, container_cpu_cfs_periods_total, container_cpu_cfs_throttled_periods_total.
 */
const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');

interface Family { readonly name: string; readonly type: 'gauge' | 'counter'; readonly series: Array<{ labels: Record<string, string>; value: (t: number) => number }> }

function families(target: Record<string, string>, start: number): Family[] {
  const far = start + 300 * 86400;
  const at = (labels: Record<string, string>, value: (t: number) => number) => ({ labels: { ...target, ...labels }, value });
  const cm = (job: string) => ({ job, namespace: 'cert-manager', pod: 'cert-manager-5d7f97b46d-x2x9k' });
  const certs = [['linkerd-trust-anchor', 'cert-manager'], ['linkerd-identity-issuer', 'linkerd']] as const;
  const secrets = [['linkerd', 'linkerd-identity-issuer'], ['linkerd', 'linkerd-policy-validator-k8s-tls'], ['linkerd', 'linkerd-proxy-injector-k8s-tls'], ['linkerd', 'linkerd-sp-validator-k8s-tls'], ['linkerd-viz', 'tap-injector-k8s-tls'], ['linkerd-viz', 'tap-k8s-tls']];
  const x509 = { job: 'x509-certificate-exporter', namespace: 'monitoring' };
  // kube-prometheus-stack scrapes kube-state-metrics with honorLabels: the object's namespace is `namespace`.
  const ksm = { job: 'kube-state-metrics' };
  const kubelet = { job: 'kubelet', metrics_path: '/metrics/cadvisor' };
  const proxy = { namespace: 'emojivoto', pod: 'web-7c8d9b9f4-abcde', container: 'linkerd-proxy' };
  return [
    { name: 'certmanager_certificate_expiration_timestamp_seconds', type: 'gauge', series: certs.map(([name, ns]) => at({ ...cm('cert-manager'), name, exported_namespace: ns, issuer_kind: 'Issuer', issuer_name: name === 'linkerd-trust-anchor' ? 'selfsigned' : 'linkerd-trust-anchor' }, () => far)) },
    { name: 'certmanager_certificate_renewal_timestamp_seconds', type: 'gauge', series: certs.map(([name, ns]) => at({ ...cm('cert-manager'), name, exported_namespace: ns }, () => far - 30 * 86400)) },
    { name: 'certmanager_certificate_ready_status', type: 'gauge', series: certs.flatMap(([name, ns]) => ['True', 'False', 'Unknown'].map((condition) => at({ ...cm('cert-manager'), name, exported_namespace: ns, condition }, () => (condition === 'True' ? 1 : 0)))) },
    {
      name: 'x509_cert_not_after',
      type: 'gauge',
      series: [
        ...secrets.map(([ns, name]) => at({ ...x509, secret_namespace: ns!, secret_name: name!, secret_key: 'tls.crt' }, () => far)),
        at({ ...x509, configmap_namespace: 'linkerd', configmap_name: 'linkerd-identity-trust-roots', configmap_key: 'ca-bundle.crt' }, () => far),
      ],
    },
    { name: 'node_timex_offset_seconds', type: 'gauge', series: [at({ job: 'node-exporter', instance: '10.0.0.1:9100' }, () => 0.0004)] },
    { name: 'node_timex_maxerror_seconds', type: 'gauge', series: [at({ job: 'node-exporter', instance: '10.0.0.1:9100' }, () => 0.02)] },
    { name: 'node_timex_sync_status', type: 'gauge', series: [at({ job: 'node-exporter', instance: '10.0.0.1:9100' }, () => 1)] },
    { name: 'kube_deployment_status_replicas_available', type: 'gauge', series: ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector'].map((d) => at({ ...ksm, namespace: 'linkerd', deployment: d }, () => 1)) },
    { name: 'kube_pod_container_info', type: 'gauge', series: [at({ ...ksm, ...proxy, image: 'cr.l5d.io/linkerd/proxy:stable' }, () => 1)] },
    { name: 'kube_pod_container_resource_limits', type: 'gauge', series: [['cpu', 'core', 1], ['memory', 'byte', 250e6]].map(([resource, unit, v]) => at({ ...ksm, ...proxy, resource: resource as string, unit: unit as string }, () => v as number)) },
    { name: 'container_memory_working_set_bytes', type: 'gauge', series: [at({ ...kubelet, ...proxy }, () => 21e6)] },
    { name: 'container_cpu_cfs_periods_total', type: 'counter', series: [at({ ...kubelet, ...proxy }, (t) => (t - start) * 10)] },
    { name: 'container_cpu_cfs_throttled_periods_total', type: 'counter', series: [at({ ...kubelet, ...proxy }, () => 0)] },
  ];
}

/** Every target label set (e.g. {cluster: "prod-eu1"}) gets one of each exporter, sampled every `step` seconds in [start, end]. */
export function exporterHistory(targets: ReadonlyArray<Record<string, string>>, start: number, end: number, step: number): string {
  const out: string[] = [];
  const all = targets.map((t) => families(t, start));
  for (let i = 0; i < all[0]!.length; i++) {
    const f = all[0]![i]!;
    out.push(`# TYPE ${f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name} ${f.type}`);
    for (const perTarget of all) {
      for (const s of perTarget[i]!.series) for (let t = start; t <= end; t += step) out.push(`${f.name}{${labelText(s.labels)}} ${s.value(t)} ${t}`);
    }
  }
  return `${out.join('\n')}\n# EOF\n`;
}
