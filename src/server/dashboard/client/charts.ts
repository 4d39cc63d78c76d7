import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  readonly label: string;
  /** Plot values (pixels only); what the legend prints comes from `display`. */
  readonly values: readonly number[];
  /** Legend text for point `i` (e.g. the exact decimal string, formatted). */
  readonly display: (i: number) => string;
}

export interface TimeChartSpec {
  /** Unix seconds, ascending. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Stacked areas (spend by model); otherwise plain lines. */
  readonly stacked: boolean;
  readonly yLabel: (v: number) => string;
  readonly height?: number;
}

const PALETTE = [
  "#2563eb",
  "#f59e0b",
  "#10b981",
  "#ef4444",
  "#8b5cf6",
  "#06b6d4",
  "#84cc16",
  "#ec4899",
  "#64748b",
];

const DAY = 86_400;
/** Charts on the page by container, so a re-render frees the old chart and its resize listener. */
const mounted = new WeakMap<HTMLElement, () => void>();

/** Renders a time chart into `container` (replacing what was there); resolves after its first paint. */
export function timeChart(container: HTMLElement, spec: TimeChartSpec): Promise<uPlot> {
  mounted.get(container)?.();
  container.replaceChildren();
  const stacked = spec.stacked ? stack(spec.series.map((s) => s.values)) : null;
  const data = [spec.x, ...(stacked ? stacked.data : spec.series.map((s) => s.values))] as uPlot.AlignedData;
  return new Promise((painted) => {
    const opts: uPlot.Options = {
      width: Math.max(320, container.clientWidth),
      height: spec.height ?? 260,
      // Periods are UTC bucket starts: label them in UTC whatever the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      series: [
        {},
        ...spec.series.map((s, i): uPlot.Series => {
          const color = PALETTE[i % PALETTE.length] as string;
          return {
            label: s.label,
            stroke: color,
            fill: spec.stacked ? `${color}99` : undefined,
            width: spec.stacked ? 1 : 2,
            points: { show: spec.x.length < 2 },
            value: (_u, _v, _s, idx) => (idx === null ? "—" : s.display(idx)),
          };
        }),
      ],
      bands: stacked?.bands,
      // Daily buckets: ticks on whole days (not the 6-hour steps uPlot would pick for a few days).
      axes: [
        { incrs: [DAY, 2 * DAY, 7 * DAY, 30 * DAY] },
        { values: (_u, ticks) => ticks.map(spec.yLabel), size: 70 },
      ],
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      hooks: { draw: [(u) => painted(u)] },
    };
    const chart = new uPlot(opts, data, container);
    const resize = () => chart.setSize({ width: Math.max(320, container.clientWidth), height: opts.height });
    window.addEventListener("resize", resize);
    mounted.set(container, () => {
      window.removeEventListener("resize", resize);
      chart.destroy();
    });
  });
}

/** Cumulative series for stacked areas, and the bands that fill each series down to the one below it. */
function stack(series: readonly (readonly number[])[]): { data: number[][]; bands: uPlot.Band[] } {
  const len = series[0]?.length ?? 0;
  const acc = new Array<number>(len).fill(0);
  const data = series.map((values) => values.map((v, i) => (acc[i] = (acc[i] ?? 0) + v)));
  const bands = series.slice(1).map((_, i): uPlot.Band => ({ series: [i + 2, i + 1] }));
  return { data, bands };
}
