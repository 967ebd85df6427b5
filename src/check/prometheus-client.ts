/**
 * A read-only client of the Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * instant and range queries and the targets API.
 *
 * Credentials come from the environment only, never from the command line (they would end up in
 * shell history and `ps`): LINKERD_SLO_PROMETHEUS_TOKEN (bearer), or LINKERD_SLO_PROMETHEUS_USERNAME
 * and LINKERD_SLO_PROMETHEUS_PASSWORD (basic). A URL with a user name or password is refused, without
 * echoing it. Nothing printed contains them: URLs are shown as origin and path only, header values
 * never, and text a server sends back has every credential blanked and control characters removed.
 * fetch() follows redirects and drops the Authorization header when one leaves the origin.
 */
import { EXIT, UserError } from '../errors.js';
import { printable } from './terminal.js';

export interface PromClient {
  /** The base URL as printed: origin and path, never userinfo, query or fragment. */
  readonly url: string;
  /** Instant query; returns [labels, value] pairs. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Range query (start and end in epoch seconds, step in seconds); returns each series with its [time, value] points. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, number]> }>>;
  /** Active scrape targets with their job and scrape interval (seconds). */
  targets(): Promise<Array<{ job: string; scrapeIntervalSeconds?: number; health: string }>>;
  /** Instant query at a time (epoch seconds). */
  queryAt(expr: string, timeSeconds: number): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Values of a label, optionally only on series matching a selector, within a time range (epoch seconds). */
  labelValues(label: string, match: string | undefined, startSeconds: number, endSeconds: number): Promise<string[]>;
}

/**
 * Why a request failed, for callers that retry: `query` (Prometheus answered with an error for this
 * query, e.g. a time-out or too many samples), `too-large` (the answer exceeded the size cap),
 * `deadline` (no complete answer within the deadline: the server or the network is stuck),
 * `unreachable`, `protocol` (an answer that is not the Prometheus API).
 */
export type ApiFailure = 'query' | 'too-large' | 'deadline' | 'unreachable' | 'protocol';

/** Prometheus unreachable, or it answered something that is not the Prometheus HTTP API: exit 3. */
export class PrometheusApiError extends UserError {
  constructor(
    message: string,
    readonly kind: ApiFailure = 'protocol',
  ) {
    super(message, EXIT.prometheus);
    this.name = 'PrometheusApiError';
  }
}

export interface ClientLimits {
  /** The largest answer read, in bytes (after decompression); a larger one fails with kind `too-large`. */
  readonly maxResponseBytes?: number;
}

/** 256 MiB: the largest answer a backtest chunk or panel should need; it costs about 4× in memory to parse. */
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** The body as text, reading no more than `cap` bytes (a Content-Length beyond it is refused before reading). */
async function cappedText(res: Response, cap: number, tooLarge: () => Error): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > cap) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const CREDENTIAL_VARS = ['LINKERD_SLO_PROMETHEUS_TOKEN', 'LINKERD_SLO_PROMETHEUS_USERNAME', 'LINKERD_SLO_PROMETHEUS_PASSWORD'] as const;

/** Rejects a credential an HTTP header cannot carry, naming the variable and never its value. */
function checkCredentials(env: NodeJS.ProcessEnv): void {
  for (const name of CREDENTIAL_VARS) {
    const value = env[name];
    if (value && /[\u0000-\u001f\u007f]/.test(value)) {
      throw new UserError(`${name} contains a control character (a line break?); remove it, it cannot be sent in an HTTP header`, EXIT.config);
    }
  }
  const token = env.LINKERD_SLO_PROMETHEUS_TOKEN;
  // RFC 6750 §2.1: a bearer token is visible ASCII; fetch() rejects anything else with a message that quotes it.
  if (token && !/^[\u0021-\u007e]+$/.test(token)) {
    throw new UserError('LINKERD_SLO_PROMETHEUS_TOKEN contains spaces or non-ASCII characters; a bearer token is visible ASCII only (RFC 6750)', EXIT.config);
  }
  // RFC 7617 §2: the user-id of basic authentication cannot contain a colon.
  if (env.LINKERD_SLO_PROMETHEUS_USERNAME?.includes(':')) {
    throw new UserError('LINKERD_SLO_PROMETHEUS_USERNAME contains ":", which basic authentication cannot carry in a user name (RFC 7617)', EXIT.config);
  }
}

export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  checkCredentials(env);
  if (env.LINKERD_SLO_PROMETHEUS_TOKEN) return { Authorization: `Bearer ${env.LINKERD_SLO_PROMETHEUS_TOKEN}` };
  if (env.LINKERD_SLO_PROMETHEUS_USERNAME) {
    const pair = `${env.LINKERD_SLO_PROMETHEUS_USERNAME}:${env.LINKERD_SLO_PROMETHEUS_PASSWORD ?? ''}`;
    return { Authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }
  return {};
}

/** The base URL to query and to print; refuses what would leak or break (userinfo, query, fragment). */
export function prometheusBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: an unparseable URL cannot be stripped of a password it may contain.
    throw new UserError('--prometheus-url is not an absolute URL (expected e.g. http://prometheus.monitoring:9090)', EXIT.config);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--prometheus-url must be an http:// or https:// URL, not ${printable(url.protocol)}`, EXIT.config);
  }
  if (url.username || url.password) {
    throw new UserError(
      '--prometheus-url must not contain a user name or password (command lines end up in shell history and ps); set LINKERD_SLO_PROMETHEUS_USERNAME and LINKERD_SLO_PROMETHEUS_PASSWORD, or LINKERD_SLO_PROMETHEUS_TOKEN',
      EXIT.config,
    );
  }
  if (url.search || url.hash) {
    throw new UserError(`--prometheus-url must not have a query string or fragment: give the API's base, e.g. ${url.origin}${url.pathname}`, EXIT.config);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const seconds = (d: unknown): number | undefined => {
  const m = typeof d === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d) : null;
  if (!m) return undefined;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
};

/** A sample value as the API encodes it: a decimal string, or NaN, +Inf, -Inf. */
function sampleValue(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (v === 'NaN') return NaN;
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(v) ? Number(v) : undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(printable(v).slice(0, 40))}`;
  return `${typeof v} ${String(v)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a response lacks, as `"data.result[3].value" is null, expected [<time>, "<value>"]`. */
class ShapeError extends Error {}
function field(parent: Record<string, unknown>, key: string, path: string, expected: string, ok: (v: unknown) => boolean): unknown {
  const v = parent[key];
  if (!ok(v)) throw new ShapeError(`"${path}" is ${describe(v)}, expected ${expected}`);
  return v;
}
const isLabels = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function vector(data: Record<string, unknown>): Array<{ metric: Record<string, string>; value: number }> {
  field(data, 'resultType', 'data.resultType', '"vector"', (v) => v === 'vector');
  const result = field(data, 'result', 'data.result', 'a list', Array.isArray) as unknown[];
  return result.map((item, i) => {
    if (!isObject(item)) throw new ShapeError(`"data.result[${i}]" is ${describe(item)}, expected an object`);
    const metric = field(item, 'metric', `data.result[${i}].metric`, 'an object of label strings', isLabels) as Record<string, string>;
    const value = field(item, 'value', `data.result[${i}].value`, '[<time>, "<value>"]', (v) => Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && sampleValue(v[1]) !== undefined);
    return { metric, value: sampleValue((value as unknown[])[1])! };
  });
}

function matrix(data: Record<string, unknown>): Array<{ metric: Record<string, string>; values: Array<[number, number]> }> {
  field(data, 'resultType', 'data.resultType', '"matrix"', (v) => v === 'matrix');
  const result = field(data, 'result', 'data.result', 'a list', Array.isArray) as unknown[];
  return result.map((item, i) => {
    if (!isObject(item)) throw new ShapeError(`"data.result[${i}]" is ${describe(item)}, expected an object`);
    const metric = field(item, 'metric', `data.result[${i}].metric`, 'an object of label strings', isLabels) as Record<string, string>;
    const values = field(item, 'values', `data.result[${i}].values`, 'a list of [<time>, "<value>"]', Array.isArray) as unknown[];
    return {
      metric,
      values: values.map((v, j) => {
        if (!(Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && sampleValue(v[1]) !== undefined)) {
          throw new ShapeError(`"data.result[${i}].values[${j}]" is ${describe(v)}, expected [<time>, "<value>"]`);
        }
        return [v[0] as number, sampleValue(v[1])!] as [number, number];
      }),
    };
  });
}

function stringList(data: unknown): string[] {
  if (!Array.isArray(data) || !data.every((v) => typeof v === 'string')) throw new ShapeError(`"data" is ${describe(data)}, expected a list of strings`);
  return data as string[];
}

function activeTargets(data: Record<string, unknown>): Array<{ job: string; scrapeIntervalSeconds?: number; health: string }> {
  const targets = field(data, 'activeTargets', 'data.activeTargets', 'a list', Array.isArray) as unknown[];
  return targets.map((t, i) => {
    if (!isObject(t)) throw new ShapeError(`"data.activeTargets[${i}]" is ${describe(t)}, expected an object`);
    const labels = field(t, 'labels', `data.activeTargets[${i}].labels`, 'an object of label strings', isLabels) as Record<string, string>;
    return { job: labels.job ?? '', scrapeIntervalSeconds: seconds(t.scrapeInterval), health: typeof t.health === 'string' ? t.health : '' };
  });
}

const HTTP_HINTS: Record<number, string> = {
  401: 'credentials missing or refused (LINKERD_SLO_PROMETHEUS_TOKEN, or LINKERD_SLO_PROMETHEUS_USERNAME and LINKERD_SLO_PROMETHEUS_PASSWORD)',
  403: 'the credentials are not allowed to query',
  404: 'not the Prometheus API here; Thanos Query serves it at the root, Mimir under its prefix (e.g. /prometheus)',
};

export function prometheusClient(baseUrl: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000, limits: ClientLimits = {}): PromClient {
  const root = prometheusBaseUrl(baseUrl);
  const auth = authHeaders(env);
  const headers = { Accept: 'application/json', ...auth };
  const cap = limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const secrets = [env.LINKERD_SLO_PROMETHEUS_TOKEN, env.LINKERD_SLO_PROMETHEUS_PASSWORD, auth.Authorization?.replace(/^\w+ /, '')].filter((s): s is string => !!s);
  // Blanking a one- or two-character secret out of a message cannot be done without mangling every
  // word (and a reader could still spot it): with such a credential, no server text is echoed at all.
  const withhold = secrets.some((s) => s.length < 3);
  /** Server text made safe to print: credentials blanked (a proxy may echo the request), one printable line, bounded. */
  const fromServer = (text: string): string => {
    if (withhold) return '(server text not shown: a credential shorter than 3 characters cannot be blanked out of it)';
    const blanked = secrets.reduce((t, s) => t.split(s).join('***'), text);
    const line = printable(blanked).trim();
    return line.length > 300 ? `${line.slice(0, 300)}…` : line;
  };
  const timeoutText = `${timeoutMs / 1000}s`;
  // Range queries tell the server our time-out, so a heavy query ends there with an error we can act
  // on (split it); our own deadline comes a little later and means the server is not answering at all.
  const rangeDeadlineMs = timeoutMs + Math.max(1000, Math.min(timeoutMs / 10, 30_000));
  const mb = `${Math.round((cap / 1024 / 1024) * 100) / 100} MB`;

  /**
   * `post`: send the parameters as a form body (the query endpoints accept POST). Inlined backtest
   * expressions run to tens of kilobytes, more than the URL limit of many proxies (and Node's 16 KB
   * header limit) allows.
   */
  async function api<T>(path: string, params: Record<string, string>, shape: (data: Record<string, unknown>) => T, dataIsList = false, post = false): Promise<T> {
    const endpoint = `${root}/api/v1/${path}`;
    const unreachable = (err: unknown): PrometheusApiError => {
      if (err instanceof PrometheusApiError) return err;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return new PrometheusApiError(`no answer from ${endpoint} within ${post ? `${rangeDeadlineMs / 1000}s` : timeoutText} (--timeout)`, 'deadline');
      const code = e.cause?.code;
      const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : fromServer(e.cause?.message ?? e.message);
      return new PrometheusApiError(`cannot reach ${root}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`, 'unreachable');
    };
    let res: Response;
    let text: string;
    try {
      // One deadline for the answer and its body, so a server that stalls mid-body cannot hang the check.
      res = post
        ? await fetch(endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString(), signal: AbortSignal.timeout(rangeDeadlineMs) })
        : await fetch(`${endpoint}?${new URLSearchParams(params)}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      text = await cappedText(res, cap, () => new PrometheusApiError(`the answer of ${endpoint} is larger than ${mb} (--max-response-mb); query a shorter range or fewer series, or raise --max-response-mb`, 'too-large'));
    } catch (err) {
      throw unreachable(err);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const apiError = isObject(body) && typeof body.error === 'string' ? fromServer(`${typeof body.errorType === 'string' ? `${body.errorType}: ` : ''}${body.error}`) : undefined;
    if (!res.ok) {
      const hint = apiError ?? HTTP_HINTS[res.status] ?? fromServer(res.statusText);
      throw new PrometheusApiError(`${endpoint}: HTTP ${res.status}${hint ? `: ${hint}` : ''}`, apiError ? 'query' : 'protocol');
    }
    const unexpected = (what: string) => new PrometheusApiError(`unexpected response from ${endpoint}: ${what}`);
    if (body === undefined) {
      const type = res.headers.get('content-type');
      throw unexpected(`the body is not JSON${type ? ` (${fromServer(type)})` : ''}; is this the Prometheus API?`);
    }
    if (!isObject(body)) throw unexpected(`the body is ${describe(body)}, expected an object`);
    if (body.status === 'error') throw new PrometheusApiError(`${endpoint}: ${apiError ?? 'error without a message'}`, 'query');
    try {
      field(body, 'status', 'status', '"success"', (v) => v === 'success');
      if (dataIsList) return shape(body.data as Record<string, unknown>);
      return shape(field(body, 'data', 'data', 'an object', isObject) as Record<string, unknown>);
    } catch (err) {
      if (err instanceof ShapeError) throw unexpected(err.message);
      throw err;
    }
  }
  return {
    url: root,
    query: (expr) => api('query', { query: expr }, vector),
    // The server's own time-out is set to ours, so a heavy query stops there instead of running on unseen.
    queryRange: (expr, start, end, step) =>
      api('query_range', { query: expr, start: String(start), end: String(end), step: String(step), timeout: timeoutText }, matrix, false, true),
    targets: () => api('targets', { state: 'active' }, activeTargets),
    queryAt: (expr, time) => api('query', { query: expr, time: String(time) }, vector),
    labelValues: (label, match, start, end) =>
      api(`label/${encodeURIComponent(label)}/values`, { ...(match ? { 'match[]': match } : {}), start: String(start), end: String(end) }, (d) => stringList(d), true),
  };
}
