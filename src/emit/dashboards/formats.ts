/**
 * The delivery formats of a dashboard:
 *  - import: grafana.com export flavour, `__inputs` (DS_PROMETHEUS) and `__requires`, `id: null`
 *    (grafana/grafana `public/app/features/dashboard/components/DashExportModal/DashboardExporter.ts`);
 *    Grafana asks for the data source on import and substitutes it everywhere
 *    (`pkg/services/dashboardimport/utils/dash_template_evaluator.go`);
 *  - provisioning: the plain dashboard (datasource template variable, no `__inputs`: file
 *    provisioning does not process them, grafana/grafana#10786) plus a file-provider YAML
 *    (`apiVersion: 1`, `providers:`; keys from `pkg/services/provisioning/dashboards/types.go`);
 *  - configmap: one ConfigMap per dashboard labelled for the Grafana Helm chart's sidecar;
 *  - operator: one Grafana Operator GrafanaDashboard (grafana.integreatly.org/v1beta1) per dashboard;
 *  - v2: one schema v2 resource (dashboard.grafana.app/v2, v2.ts) per dashboard;
 *  - v2-operator: that resource in a Grafana Operator GrafanaManifest (grafana.integreatly.org/v1beta1,
 *    the operator's kind for Grafana's app-platform resources: GrafanaDashboard takes classic JSON only).
 */
import type { Dashboard } from '@grafana/schema';
import type { Config } from '../../config/schema.js';
import { GENERATED_HEADER, toYaml } from '../rule-files.js';
import { dashboardJson, DATASOURCE_VARIABLE } from './grafana.js';
import type { V2Resource } from './v2.js';

/** The Grafana the dashboards are typed against (@grafana/schema 13.x, schemaVersion 42). */
const GRAFANA_VERSION = '13.0.0';
const DS_INPUT = 'DS_PROMETHEUS';

const PANEL_NAMES: Readonly<Record<string, string>> = {
  bargauge: 'Bar gauge',
  gauge: 'Gauge',
  stat: 'Stat',
  table: 'Table',
  text: 'Text',
  timeseries: 'Time series',
};

interface ImportInput { name: string; label: string; description: string; type: 'datasource'; pluginId: string; pluginName: string }
interface ImportRequire { type: 'grafana' | 'datasource' | 'panel'; id: string; name: string; version: string }
export type ImportDashboard = Dashboard & { __inputs: ImportInput[]; __requires: ImportRequire[]; id: null };

/** The import flavour: the datasource variable starts on whatever data source the importer picks. */
export function importFlavour(d: Dashboard): ImportDashboard {
  const types = new Set<string>();
  for (const p of d.panels ?? []) if (p.type !== 'row') types.add(p.type);
  const requires: ImportRequire[] = [
    { type: 'grafana' as const, id: 'grafana', name: 'Grafana', version: GRAFANA_VERSION },
    { type: 'datasource' as const, id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ...[...types].map((t): ImportRequire => ({ type: 'panel', id: t, name: PANEL_NAMES[t] ?? t, version: '' })),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const list = (d.templating?.list ?? []).map((v) =>
    v.name === DATASOURCE_VARIABLE ? { ...v, current: { selected: true, text: `\${${DS_INPUT}}`, value: `\${${DS_INPUT}}` } } : v,
  );
  return {
    __inputs: [{ name: DS_INPUT, label: 'Prometheus', description: 'Prometheus holding the Linkerd metrics and the linkerd-slo recording rules', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
    __requires: requires,
    ...d,
    id: null,
    templating: { list },
  };
}

export interface BundleDashboard {
  /** File name stem, e.g. linkerd-slo-prod-eu1-control-plane. */
  readonly base: string;
  readonly dashboard: Dashboard;
}

function k8sLabels(config: Config): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'linkerd-slo',
    'app.kubernetes.io/managed-by': 'linkerd-slo',
    ...config.grafana.labels,
  };
}

export function configMap(b: BundleDashboard, config: Config, configFile: string): string {
  const g = config.grafana;
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${b.base}-dashboard`,
      namespace: g.namespace ?? config.kubernetes.namespace,
      labels: { ...k8sLabels(config), [g.sidecar.label]: g.sidecar.labelValue },
      annotations: { [g.sidecar.folderAnnotation]: g.folder },
    },
    data: { [`${b.base}.json`]: dashboardJson(b.dashboard) },
  };
  return GENERATED_HEADER(`ConfigMap for the Grafana Helm chart's dashboard sidecar (label ${g.sidecar.label}: "${g.sidecar.labelValue}")`, configFile) + toYaml(object);
}

export function grafanaDashboard(b: BundleDashboard, config: Config, configFile: string): string {
  const g = config.grafana;
  const object = {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaDashboard',
    metadata: { name: b.base, namespace: g.namespace ?? config.kubernetes.namespace, labels: k8sLabels(config) },
    spec: {
      instanceSelector: { matchLabels: { ...g.operator.instanceSelector } },
      ...(g.operator.allowCrossNamespaceImport ? { allowCrossNamespaceImport: true } : {}),
      folder: g.folder,
      uid: b.dashboard.uid,
      json: dashboardJson(b.dashboard),
    },
  };
  return GENERATED_HEADER('Grafana Operator GrafanaDashboard (grafana.integreatly.org/v1beta1)', configFile) + toYaml(object);
}

export function providerYaml(name: string, config: Config, configFile: string): string {
  const g = config.grafana;
  const object = {
    apiVersion: 1,
    providers: [
      {
        name,
        orgId: 1,
        type: 'file',
        folder: g.folder,
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: g.provisioning.updateIntervalSeconds,
        options: { path: g.provisioning.path, foldersFromFilesStructure: false },
      },
    ],
  };
  return (
    GENERATED_HEADER(`Grafana dashboard provider: copy to <grafana>/provisioning/dashboards/ and the dashboards (out/grafana/*.json) to ${g.provisioning.path}`, configFile) +
    toYaml(object)
  );
}

/**
 * A Grafana Operator GrafanaManifest holding the v2 resource (spec.template: apiVersion, kind,
 * metadata.name, spec; grafana/grafana-operator config/crd/bases/grafana.integreatly.org_grafanamanifests.yaml).
 * The folder is Grafana's `grafana.app/folder` annotation, which takes a folder UID, not the title
 * grafana.folder gives: the dashboard lands in the General folder unless the user adds it.
 */
export function grafanaManifest(b: BundleDashboard, resource: V2Resource, config: Config, configFile: string): string {
  const g = config.grafana;
  const object = {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaManifest',
    metadata: { name: b.base, namespace: g.namespace ?? config.kubernetes.namespace, labels: k8sLabels(config) },
    spec: {
      instanceSelector: { matchLabels: { ...g.operator.instanceSelector } },
      ...(g.operator.allowCrossNamespaceImport ? { allowCrossNamespaceImport: true } : {}),
      template: resource,
    },
  };
  return GENERATED_HEADER(`Grafana Operator GrafanaManifest of a ${resource.apiVersion} dashboard (grafana.integreatly.org/v1beta1)`, configFile) + toYaml(object);
}
