import { HoverColumns, valueAxis } from '../components/line-chart.tsx';

/** One line of a chart, with an optional shaded band (mean ± sd over seeds). */
export interface BandSeries {
  label: string;
  colour: string;
  points: { x: number; y: number }[];
  band?: { x: number; low: number; high: number }[];
}

export interface BandChartProps {
  title: string;
  series: BandSeries[];
  /** Where the x ticks go and what they say: categories (a sweep's values) need labels of their own. */
  xTicks?: { x: number; label: string }[];
  xLabel: string;
}

const WIDTH = 440;
const HEIGHT = 250;
const MARGIN = { left: 56, right: 16, top: 30, bottom: 38 };

/** The x range with some air, and never empty: a single value still needs an axis. */
function domain(values: number[]): [number, number] {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const pad = high > low ? (high - low) * 0.08 : Math.abs(high) * 0.05 || 0.01;
  return [low - pad, high + pad];
}

/** As many decimals as the spacing of the ticks needs, so that neighbouring ticks never read alike. */
const tickLabel = (value: number, step: number) => value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));

/**
 * A line plot for comparing many series, as plain SVG drawn on the server. Unlike the run page's
 * LineChart (two series coloured by class, legend inside the plot), it takes any number of runs in
 * their own colours, with the legend below, shaded seed bands, and labelled categorical x ticks.
 */
export function BandChart({ title, series, xTicks, xLabel }: BandChartProps) {
  const drawn = series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return <p class="muted">{title}: no finished points yet</p>;
  const xs = drawn.flatMap((s) => s.points.map((p) => p.x));
  const ys = drawn.flatMap((s) => [...s.points.map((p) => p.y), ...(s.band ?? []).flatMap((b) => [b.low, b.high])]);
  const [x0, x1] = domain(xs);
  const { domain: [y0, y1], ticks: yTicks, step: yStep } = valueAxis(ys);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * (WIDTH - MARGIN.left - MARGIN.right);
  const sy = (y: number) => HEIGHT - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const path = (points: { x: number; y: number }[]) => points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const bandPath = (band: NonNullable<BandSeries['band']>) =>
    `${path(band.map((b) => ({ x: b.x, y: b.high })))} ${path([...band].reverse().map((b) => ({ x: b.x, y: b.low }))).replace(/^M/, 'L')} Z`;
  const ticks = xTicks ?? [...new Set(xs)].sort((a, b) => a - b).map((x) => ({ x, label: String(x) }));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <text class="chart-title" x={MARGIN.left} y={16}>
          {title}
        </text>
        {yTicks.map((y) => (
          <g class="tick">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={sy(y)} y2={sy(y)} />
            <text x={MARGIN.left - 6} y={sy(y) + 4} text-anchor="end">
              {tickLabel(y, yStep)}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <text class="tick" x={sx(tick.x)} y={HEIGHT - MARGIN.bottom + 16} text-anchor="middle">
            {tick.label}
          </text>
        ))}
        <text class="axis-label" x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 4} text-anchor="middle">
          {xLabel}
        </text>
        {drawn.map((s) => (s.band?.length ? <path class="band" d={bandPath(s.band)} fill={s.colour} fill-opacity="0.18" stroke="none" /> : null))}
        {drawn.map((s) => (
          <g class="band-series" data-label={s.label}>
            <path d={path(s.points)} fill="none" stroke={s.colour} stroke-width="2" />
            {s.points.map((p) => (
              <circle cx={sx(p.x).toFixed(1)} cy={sy(p.y).toFixed(1)} r="3" fill={s.colour} />
            ))}
          </g>
        ))}
        <HoverColumns
          xs={xs}
          sx={sx}
          plot={{ left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom }}
          heading={(x) => `${xLabel} ${ticks.find((tick) => tick.x === x)?.label ?? x}`}
          lines={(x) => drawn.flatMap((s) => s.points.filter((p) => p.x === x).map((p) => ({ text: `${s.label}: ${p.y.toFixed(4)}`, colour: s.colour })))}
        />
      </svg>
      <figcaption class="band-legend">
        {drawn.map((s) => (
          <span>
            <i style={`background:${s.colour}`}></i>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
