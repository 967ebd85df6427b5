/** One scrape target of the simulated cluster: its job, its pod, its target labels and its registry. */
import type { SimPod } from './mesh.js';
import { Registry, labelText } from './registry.js';
import type { KUBE_STATE_JOB } from './kube-state.js';
import type { KUBELET_JOB } from './cadvisor.js';

export type Job = 'linkerd-proxy' | 'linkerd-controller' | typeof KUBE_STATE_JOB | typeof KUBELET_JOB;

export class Target {
  readonly registry = new Registry();
  /** Target labels as text, sorted by name (what Prometheus attaches to every series). */
  readonly labelText: string;
  readonly path: string;
  constructor(
    readonly id: string,
    readonly job: Job,
    readonly pod: SimPod,
    readonly labels: Readonly<Record<string, string>>,
    readonly container?: string,
  ) {
    this.labelText = labelText(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.path = `/targets/${id}/metrics`;
  }
}
