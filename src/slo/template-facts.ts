/**
 * What every kind's alert texts and runbook pages may name about the mesh they watch: where Linkerd
 * runs, its version, the scrape jobs, the proxy container and the metric names of that version
 * (src/linkerd/). One home, so a template reads `{{namespace}}` or `{{metrics.…}}` the same in every kind.
 */
import { METRIC_NAMES } from '../linkerd/metric-names.js';
import { PROXY_CONTAINER } from '../linkerd/proxy-container.js';
import type { BuildContext } from './kind.js';

export function linkerdTemplateFacts(ctx: BuildContext) {
  const { config, facts } = ctx;
  return {
    cluster: config.cluster,
    namespace: config.linkerd.namespace,
    vizNamespace: config.linkerd.vizNamespace,
    version: facts.version,
    proxyJob: config.linkerd.proxyJob,
    controllerJob: config.linkerd.controllerJob,
    metrics: METRIC_NAMES,
    proxyContainer: PROXY_CONTAINER,
  };
}
