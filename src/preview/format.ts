/**
 * Value formatting and threshold colours as Grafana shows them, for the units the generated
 * dashboards use (Grafana's unit catalogue: grafana/grafana
 * `packages/grafana-data/src/valueFormats/categories.ts`). Each function is self-contained (no
 * imports, no outer names) because the page inlines it with Function.prototype.toString to label
 * chart axes with the same text the server printed.
 */

/** `unit` and `decimals` of a field; undefined decimals means "as many as the value needs" (up to 3 significant after the point). */
export function formatValue(value: number | null | undefined, unit: string | undefined, decimals: number | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'No data';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const fixed = (v: number, d: number | undefined): string => {
    if (d !== undefined) return v.toFixed(d);
    const abs = Math.abs(v);
    // Grafana's automatic decimals: enough for the magnitude, at most a few.
    const auto = abs === 0 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : Math.min(6, Math.ceil(-Math.log10(abs)) + 2);
    return String(Number(v.toFixed(auto)));
  };
  const u = unit ?? 'none';
  if (u.startsWith('suffix:')) return `${fixed(value, decimals)}${u.slice('suffix:'.length)}`;
  if (u === 'percentunit') return `${fixed(value * 100, decimals)}%`;
  if (u === 'percent') return `${fixed(value, decimals)}%`;
  if (u === 'reqps') return `${fixed(value, decimals)} req/s`;
  if (u === 'bytes') {
    const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < names.length - 1) {
      v /= 1024;
      i++;
    }
    return `${fixed(v, decimals)} ${names[i]}`;
  }
  if (u === 'ms' || u === 's') {
    // Grafana's time units scale up: ms → s → min → hour → day → week.
    let seconds = u === 'ms' ? value / 1000 : value;
    const abs = Math.abs(seconds);
    if (u === 'ms' && abs < 1) return `${fixed(value, decimals)} ms`;
    const steps: Array<[number, string]> = [
      [604800, 'week'],
      [86400, 'day'],
      [3600, 'hour'],
      [60, 'min'],
    ];
    for (const [size, name] of steps) {
      if (abs >= size) {
        seconds /= size;
        return `${fixed(seconds, decimals)} ${name}`;
      }
    }
    return `${fixed(seconds, decimals)} s`;
  }
  const abs = Math.abs(value);
  // "none"/"short": SI suffixes for large counts.
  if (abs >= 1e9) return `${fixed(value / 1e9, decimals)} Bil`;
  if (abs >= 1e6) return `${fixed(value / 1e6, decimals)} Mil`;
  if (abs >= 1e3) return `${fixed(value / 1e3, decimals)} K`;
  return fixed(value, decimals);
}

/** Grafana's named colours (the dark theme's visualization palette). */
export function namedColor(name: string | undefined): string {
  const colors: Record<string, string> = {
    green: '#73BF69',
    'dark-green': '#37872D',
    red: '#F2495C',
    'dark-red': '#C4162A',
    orange: '#FF9830',
    'dark-orange': '#FA6400',
    yellow: '#FADE2A',
    'dark-yellow': '#E0B400',
    blue: '#5794F2',
    'dark-blue': '#1F60C4',
    purple: '#B877D9',
    text: '#CCCCDC',
    transparent: 'transparent',
  };
  if (!name) return '#CCCCDC';
  return colors[name] ?? (/^#[0-9a-fA-F]{3,8}$/.test(name) ? name : '#CCCCDC');
}

export interface ThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** The colour of the highest step at or below the value (the first step, value null, is the base). */
export function thresholdColor(value: number | null | undefined, steps: readonly ThresholdStep[] | undefined): string | undefined {
  if (!steps || steps.length === 0) return undefined;
  let color = steps[0]!.color;
  if (value === null || value === undefined || Number.isNaN(value)) return undefined;
  for (const s of steps) if (s.value === null || value >= s.value) color = s.color;
  return color;
}

/** Grafana's "classic palette" series colours, in order. */
export const CLASSIC_PALETTE: readonly string[] = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0', '#508642', '#CCA300', '#447EBC', '#C15C17'];
