/**
 * A read-only client of the Prometheus HTTP API (query, targets). Credentials come from the
 * environment only, never from the command line (they would end up in shell history and `ps`):
 * LINKERD_SLO_PROMETHEUS_TOKEN (bearer), or LINKERD_SLO_PROMETHEUS_USERNAME and
 * LINKERD_SLO_PROMETHEUS_PASSWORD (basic).
 */
export interface PromClient {
  readonly url: string;
  /** Instant query; returns [labels, value] pairs. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Active scrape targets with their job and scrape interval (seconds). */
  targets(): Promise<Array<{ job: string; scrapeIntervalSeconds?: number; health: string }>>;
}

export class PrometheusApiError extends Error {}

export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.LINKERD_SLO_PROMETHEUS_TOKEN) return { Authorization: `Bearer ${env.LINKERD_SLO_PROMETHEUS_TOKEN}` };
  if (env.LINKERD_SLO_PROMETHEUS_USERNAME) {
    const pair = `${env.LINKERD_SLO_PROMETHEUS_USERNAME}:${env.LINKERD_SLO_PROMETHEUS_PASSWORD ?? ''}`;
    return { Authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }
  return {};
}

const seconds = (d: string | undefined): number | undefined => {
  const m = d ? /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d) : null;
  if (!m) return undefined;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
};

export function prometheusClient(baseUrl: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): PromClient {
  const root = baseUrl.replace(/\/+$/, '');
  const headers = { Accept: 'application/json', ...authHeaders(env) };
  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = `${root}/api/v1/${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new PrometheusApiError(`cannot reach ${root}: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => undefined)) as { status?: string; data?: T; error?: string } | undefined;
    if (!res.ok || body?.status !== 'success') {
      throw new PrometheusApiError(`${root}/api/v1/${path}: HTTP ${res.status}${body?.error ? `: ${body.error}` : ''}`);
    }
    return body.data as T;
  }
  return {
    url: root,
    async query(expr) {
      const data = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('query', { query: expr });
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async targets() {
      const data = await api<{ activeTargets: Array<{ labels: Record<string, string>; scrapeInterval?: string; health: string }> }>('targets', { state: 'active' });
      return data.activeTargets.map((t) => ({ job: t.labels.job ?? '', scrapeIntervalSeconds: seconds(t.scrapeInterval), health: t.health }));
    },
  };
}
