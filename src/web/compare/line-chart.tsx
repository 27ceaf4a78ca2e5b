/** One line of a chart, with an optional shaded band (mean +/- sd over seeds). */
export interface ChartSeries {
  label: string;
  colour: string;
  points: { x: number; y: number }[];
  band?: { x: number; low: number; high: number }[];
}

export interface ChartProps {
  title: string;
  series: ChartSeries[];
  /** Where the x ticks go and what they say; defaults to every x of the data. */
  xTicks?: { x: number; label: string }[];
  xLabel: string;
  /** Draws markers only: for points that are categories, not a sequence. */
  markersOnly?: boolean;
}

const WIDTH = 420;
const HEIGHT = 240;
const MARGIN = { left: 52, right: 12, top: 24, bottom: 40 };
const Y_TICKS = 5;

/** Extends a degenerate range (one value) so that the scale still has a width to divide. */
function extent(values: number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (low === high) return [low - (Math.abs(low) || 1) * 0.05, high + (Math.abs(high) || 1) * 0.05];
  return [low, high];
}

const tickLabel = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString());

/**
 * A small SVG chart drawn on the server: pages need no charting library, and what the tests
 * read is the markup the person sees.
 */
export function LineChart({ title, series, xTicks, xLabel, markersOnly = false }: ChartProps) {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => [...s.points.map((p) => p.y), ...(s.band ?? []).flatMap((b) => [b.low, b.high])]);
  if (xs.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">no data yet</p>
      </figure>
    );
  }
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * (WIDTH - MARGIN.left - MARGIN.right);
  const sy = (y: number) => HEIGHT - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const ticks = xTicks ?? [...new Set(xs)].sort((a, b) => a - b).map((x) => ({ x, label: tickLabel(x) }));
  const yTicks = Array.from({ length: Y_TICKS }, (_, i) => y0 + ((y1 - y0) * i) / (Y_TICKS - 1));
  const path = (points: { x: number; y: number }[]) => points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={title}>
        <text x={WIDTH / 2} y={14} text-anchor="middle" class="chart-title">
          {title}
        </text>
        {yTicks.map((y) => (
          <g>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={sy(y)} y2={sy(y)} stroke="#e5e5e5" />
            <text x={MARGIN.left - 4} y={sy(y) + 4} text-anchor="end" font-size="10">
              {tickLabel(y)}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <text x={sx(tick.x)} y={HEIGHT - MARGIN.bottom + 14} text-anchor="middle" font-size="10">
            {tick.label}
          </text>
        ))}
        <text x={WIDTH / 2} y={HEIGHT - 6} text-anchor="middle" font-size="11">
          {xLabel}
        </text>
        {series.map((s) =>
          s.band && s.band.length > 0 ? (
            <path
              class="band"
              d={`${path(s.band.map((b) => ({ x: b.x, y: b.high })))} ${path([...s.band].reverse().map((b) => ({ x: b.x, y: b.low }))).replace(/^M/, 'L')} Z`}
              fill={s.colour}
              fill-opacity="0.18"
              stroke="none"
            />
          ) : null,
        )}
        {series.map((s) => (
          <g class="series" data-label={s.label}>
            {markersOnly ? null : <path d={path(s.points)} fill="none" stroke={s.colour} stroke-width="2" />}
            {s.points.map((p) => (
              <circle cx={sx(p.x)} cy={sy(p.y)} r={markersOnly ? 4 : 2.5} fill={s.colour}>
                <title>{`${s.label}: ${tickLabel(p.y)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span>
            <i style={`background:${s.colour}`}></i>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
