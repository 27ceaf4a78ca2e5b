export interface Series {
  label: string;
  /** A CSS class that colours the line, its points and its legend entry. */
  className: string;
  points: { x: number; y: number }[];
}

const WIDTH = 440;
const HEIGHT = 250;
const MARGIN = { top: 30, right: 16, bottom: 38, left: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
/** The hover strip of images: five digits at 24 px each, within the plot's width. */
const STRIP_HEIGHT = 24;
const STRIP_WIDTH = 120;

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) within [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The data's range with some air, and never empty: a single value still needs an axis. */
function yDomain(series: Series[]): [number, number] {
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = hi > lo ? (hi - lo) * 0.1 : Math.abs(hi) * 0.05 || 0.01;
  return [lo - pad, hi + pad];
}

/** How values read: on the axis with as many decimals as the tick step needs, on hover in full. */
const FORMATS = {
  plain: { scale: 1, suffix: '', hoverDigits: 4 },
  percent: { scale: 100, suffix: '%', hoverDigits: 2 },
} as const;

type ChartUnit = keyof typeof FORMATS;

function formatter(unit: ChartUnit) {
  const { scale, suffix, hoverDigits } = FORMATS[unit];
  return {
    tick: (y: number, step: number) => `${(y * scale).toFixed(Math.max(0, -Math.floor(Math.log10(step * scale) + 1e-9)))}${suffix}`,
    hover: (y: number) => `${(y * scale).toFixed(hoverDigits)}${suffix}`,
  };
}

/**
 * A line plot as plain SVG: each point shows its value on hover (CSS, no script) and carries a
 * <title> for the native tooltip and screen readers.
 */
export function LineChart(props: {
  title: string;
  xLabel: string;
  series: Series[];
  xDomain: [number, number];
  unit: ChartUnit;
  /** Where to mark the x axis; by default whole numbers (epochs). */
  xTicks?: number[];
  /** A strip of images (a data: URI, 28 px high per image) shown with a point's value on hover: what the model saw at that x. */
  pointImages?: (x: number) => string | undefined;
}) {
  const series = props.series.filter((s) => s.points.length > 0);
  if (series.length === 0) return '';
  const [x0, x1] = props.xDomain;
  const [y0, y1] = yDomain(series);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * PLOT_W;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * PLOT_H;
  const xTicks = props.xTicks ?? niceTicks(Math.ceil(x0), Math.floor(x1), 8).filter((t) => Number.isInteger(t));
  const yTicks = niceTicks(y0, y1, 5);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : Math.abs(yTicks[0] ?? 1) || 1;
  const format = formatter(props.unit);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.title}>
        <text class="chart-title" x={MARGIN.left} y={16}>
          {props.title}
        </text>
        {series.map((s, i) => (
          <g class={`legend ${s.className}`} transform={`translate(${WIDTH - MARGIN.right - 110 * (series.length - i)}, 12)`}>
            <line x1="0" y1="0" x2="18" y2="0" />
            <text x="24" y="4">
              {s.label}
            </text>
          </g>
        ))}
        {yTicks.map((t) => (
          <g class="tick">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={sy(t)} y2={sy(t)} />
            <text x={MARGIN.left - 6} y={sy(t) + 4} text-anchor="end">
              {format.tick(t, yStep)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text class="tick" x={sx(t)} y={HEIGHT - MARGIN.bottom + 16} text-anchor="middle">
            {t}
          </text>
        ))}
        <text class="axis-label" x={MARGIN.left + PLOT_W / 2} y={HEIGHT - 4} text-anchor="middle">
          {props.xLabel}
        </text>
        {series.map((s) => (
          <g class={`series ${s.className}`}>
            <polyline points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')} />
            {s.points.map((p) => {
              const label = `${s.label}, ${props.xLabel.toLowerCase()} ${p.x}: ${format.hover(p.y)}`;
              const tipX = Math.min(Math.max(sx(p.x), MARGIN.left + 60), WIDTH - MARGIN.right - 60);
              const strip = props.pointImages?.(p.x);
              // Below the point, or above it when the point is low in the plot.
              const stripY = sy(p.y) + 8 + STRIP_HEIGHT > HEIGHT - MARGIN.bottom ? sy(p.y) - 24 - STRIP_HEIGHT : sy(p.y) + 8;
              return (
                <g class="point" tabindex="0">
                  <title>{label}</title>
                  <circle cx={sx(p.x).toFixed(1)} cy={sy(p.y).toFixed(1)} r="4" />
                  <text class="tip" x={tipX.toFixed(1)} y={(sy(p.y) - 10).toFixed(1)} text-anchor="middle">
                    {label}
                  </text>
                  {strip ? (
                    <image class="tip-images" href={strip} x={(tipX - STRIP_WIDTH / 2).toFixed(1)} y={stripY.toFixed(1)} width={STRIP_WIDTH} height={STRIP_HEIGHT} preserveAspectRatio="xMidYMid meet" />
                  ) : (
                    ''
                  )}
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </figure>
  );
}
