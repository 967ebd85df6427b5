/**
 * The script of a preview page: draws each time-series panel with uPlot (the library Grafana itself
 * draws time series with) from the data the page carries, then records what it drew on the panel
 * element (data-drawn-series, data-drawn-points) and sets <body data-rendered="true">, which the
 * browser test and the screenshotter wait for. Self-contained: inlined with toString().
 */

export interface ChartSpec {
  readonly id: string;
  readonly unit?: string;
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
  readonly thresholds?: ReadonlyArray<{ color: string; value: number | null }>;
  /** off, line, dashed, area, line+area, dashed+area */
  readonly thresholdsStyle: string;
  readonly fillOpacity: number;
  readonly lineWidth: number;
  readonly stacked: boolean;
  readonly series: ReadonlyArray<{ name: string; color: string }>;
  /** x: epoch seconds; ys: one list per series, null where the series has no sample. */
  readonly x: readonly number[];
  readonly ys: ReadonlyArray<ReadonlyArray<number | null>>;
}

declare const uPlot: any;

export function drawCharts(specs: readonly ChartSpec[], format: (v: number | null, unit: string | undefined, decimals: number | undefined) => string): void {
  const alpha = (hex: string, a: number) => {
    const h = hex.replace('#', '');
    const n = parseInt(h.length === 3 ? h.replace(/(.)/g, '$1$1') : h.slice(0, 6), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
  };
  for (const spec of specs) {
    const panel = document.getElementById(spec.id);
    const box = panel?.querySelector('.chart') as HTMLElement | null;
    if (!panel || !box) continue;
    let ys = spec.ys.map((y) => y.slice());
    if (spec.stacked) {
      const acc = spec.x.map(() => 0);
      ys = ys.map((y) => y.map((v, i) => (v === null ? null : (acc[i] = acc[i]! + v))));
    }
    const steps = (spec.thresholds ?? []).filter((s) => s.value !== null) as Array<{ color: string; value: number }>;
    const style = spec.thresholdsStyle;
    const opts = {
      width: Math.max(50, box.clientWidth),
      height: Math.max(40, box.clientHeight),
      legend: { show: false },
      cursor: { show: false },
      tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true },
        y: {
          range: (_u: unknown, dataMin: number, dataMax: number) => {
            let lo = spec.min ?? dataMin;
            let hi = spec.max ?? dataMax;
            if (!Number.isFinite(lo)) lo = 0;
            if (!Number.isFinite(hi)) hi = 1;
            if (hi <= lo) hi = lo + (Math.abs(lo) || 1);
            const pad = spec.max === undefined ? (hi - lo) * 0.05 : 0;
            return [lo, hi + pad];
          },
        },
      },
      axes: [
        { stroke: '#9fa7b3', grid: { stroke: 'rgba(204,204,220,0.07)' }, ticks: { show: false }, font: '11px sans-serif' },
        {
          stroke: '#9fa7b3',
          grid: { stroke: 'rgba(204,204,220,0.07)' },
          ticks: { show: false },
          font: '11px sans-serif',
          size: (_u: unknown, values: string[] | null) => Math.max(48, 14 + 7 * Math.max(0, ...(values ?? []).map((v) => String(v).length))),
          values: (_u: unknown, vals: number[]) => vals.map((v) => format(v, spec.unit, spec.decimals)),
        },
      ],
      series: [
        {},
        ...spec.series.map((s) => ({
          label: s.name,
          stroke: s.color,
          width: spec.lineWidth,
          fill: spec.fillOpacity > 0 ? alpha(s.color, spec.fillOpacity / 100) : undefined,
          spanGaps: false,
          points: { show: false },
        })),
      ],
      hooks: {
        draw: [
          (u: any) => {
            if (style === 'off' || steps.length === 0) return;
            const ctx = u.ctx as CanvasRenderingContext2D;
            const { left, top, width, height } = u.bbox;
            ctx.save();
            if (style.includes('area')) {
              const all = [{ value: -Infinity, color: spec.thresholds![0]!.color }, ...steps];
              all.forEach((s, i) => {
                const lo = Math.max(u.scales.y.min, s.value);
                const hi = Math.min(u.scales.y.max, i + 1 < all.length ? all[i + 1]!.value : Infinity);
                if (hi <= lo) return;
                const y1 = u.valToPos(hi, 'y', true);
                const y0 = u.valToPos(lo, 'y', true);
                ctx.fillStyle = alpha(s.color, 0.12);
                ctx.fillRect(left, y1, width, y0 - y1);
              });
            }
            if (style.includes('line') || style.includes('dashed')) {
              ctx.lineWidth = 1;
              ctx.setLineDash(style.includes('dashed') ? [10, 10] : []);
              for (const s of steps) {
                if (s.value < u.scales.y.min || s.value > u.scales.y.max) continue;
                const y = Math.round(u.valToPos(s.value, 'y', true)) + 0.5;
                ctx.strokeStyle = s.color;
                ctx.beginPath();
                ctx.moveTo(left, y);
                ctx.lineTo(left + width, y);
                ctx.stroke();
              }
            }
            ctx.restore();
            void top;
            void height;
          },
        ],
      },
    };
    const chart = new uPlot(opts, [spec.x.slice(), ...ys], box);
    const data = chart.data as Array<Array<number | null>>;
    const drawn = data.slice(1).map((y) => y.filter((v) => v !== null && Number.isFinite(v)).length);
    panel.setAttribute('data-drawn-series', String(drawn.filter((n) => n > 0).length));
    panel.setAttribute('data-drawn-points', String(drawn.reduce((a, b) => a + b, 0)));
  }
  document.body.setAttribute('data-rendered', 'true');
}
