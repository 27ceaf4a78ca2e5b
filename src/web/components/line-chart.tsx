export interface Series {
  label: string;
  /** A CSS class that colours the line, its points and its legend entry (the run page's training and validation)... */
  className?: string;
  /** ...or a colour of its own (a run's colour on the compare page). */
  colour?: string;
  points: { x: number; y: number }[];
  /** A shaded band around the line (mean ± sd over seeds). */
  band?: { x: number; low: number; high: number }[];
  /** False for a dense line (a per-batch curve): no dot per point, and no hover column of its own per point. */
  dots?: boolean;
}

const WIDTH = 440;
const HEIGHT = 250;
const MARGIN = { top: 30, right: 16, bottom: 38, left: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
/** The hover strip of images: five digits at 24 px each, within the plot's width. */
const STRIP_HEIGHT = 24;
const STRIP_WIDTH = 120;

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) within [min, max]; a single value is its own tick. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return Number.isFinite(min) ? [min] : [];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * A value axis for the data: its range widened to the round ticks around it, so that no point
 * sits beyond the outermost tick, and never empty (a single value still needs an axis).
 */
export function valueAxis(values: number[], count = 5): { domain: [number, number]; ticks: number[]; step: number } {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(hi) * 0.05 || 0.01;
  const rough = niceTicks(lo - pad, hi + pad, count);
  const step = rough.length > 1 ? rough[1]! - rough[0]! : pad;
  const [first, last] = [Math.floor(lo / step + 1e-9), Math.ceil(hi / step - 1e-9)];
  const ticks = Array.from({ length: Math.max(last - first, 1) + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12)));
  return { domain: [ticks[0]!, ticks.at(-1)!], ticks, step };
}

/**
 * A log10 value axis for positive data: whole decades around it, ticks at 1, 2 and 5 times each
 * power of ten when it spans few decades, at the powers alone when it spans many.
 */
export function logAxis(values: number[]): { domain: [number, number]; ticks: number[] } {
  const positive = values.filter((v) => v > 0);
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.max(Math.ceil(Math.log10(Math.max(...positive))), low + 1);
  const multiples = high - low <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let power = low; power <= high; power++) {
    for (const m of multiples) if (power < high || m === 1) ticks.push(Number((m * 10 ** power).toPrecision(12)));
  }
  return { domain: [10 ** low, 10 ** high], ticks };
}

/** The x range of the data with some air, and never empty: a single value still needs an axis. */
function paddedDomain(values: number[]): [number, number] {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const pad = high > low ? (high - low) * 0.08 : Math.abs(high) * 0.05 || 0.01;
  return [low - pad, high + pad];
}

/** One line of a hover readout: a series' value at the hovered x, coloured as its series. */
export interface ReadoutLine {
  text: string;
  className?: string;
  colour?: string;
}

/**
 * One hover target per x across the whole plot height, whose readout lists every series' value
 * there: points that overlap stay readable, the readout never covers another target (it takes no
 * pointer), and nothing stays shown once the pointer leaves. Not tab stops: the chart is one image.
 */
export function HoverColumns(props: {
  xs: number[];
  sx: (x: number) => number;
  plot: { left: number; right: number; top: number; bottom: number };
  heading: (x: number) => string;
  lines: (x: number) => ReadoutLine[];
  /** A strip of images to show with the readout (a data: URI), if the x has one. */
  images?: (x: number) => string | undefined;
}) {
  const xs = [...new Set(props.xs)].sort((a, b) => a - b);
  const { left, right, top, bottom } = props.plot;
  const edge = (i: number) => (i <= 0 ? left : i >= xs.length ? right : (props.sx(xs[i - 1]!) + props.sx(xs[i]!)) / 2);
  return (
    <g class="hover-columns">
      {xs.map((x, i) => {
        const at = props.sx(x);
        const lines = props.lines(x);
        const strip = props.images?.(x);
        const flip = at > (left + right) / 2;
        const textX = (flip ? at - 8 : at + 8).toFixed(1);
        return (
          <g class="hover-column">
            <title>{[props.heading(x), ...lines.map((line) => line.text)].join('\n')}</title>
            <rect class="hover-target" x={edge(i).toFixed(1)} y={top} width={(edge(i + 1) - edge(i)).toFixed(1)} height={bottom - top} />
            <line class="hover-guide" x1={at.toFixed(1)} x2={at.toFixed(1)} y1={top} y2={bottom} />
            <text class="readout" x={textX} y={top + 12} text-anchor={flip ? 'end' : 'start'}>
              <tspan x={textX}>{props.heading(x)}</tspan>
              {lines.map((line) => (
                <tspan x={textX} dy="14" class={line.className} fill={line.colour}>
                  {line.text}
                </tspan>
              ))}
            </text>
            {strip ? (
              <image
                class="tip-images"
                href={strip}
                x={(flip ? at - 8 - STRIP_WIDTH : at + 8).toFixed(1)}
                y={top + 18 + 14 * lines.length}
                width={STRIP_WIDTH}
                height={STRIP_HEIGHT}
                preserveAspectRatio="xMidYMid meet"
              />
            ) : (
              ''
            )}
          </g>
        );
      })}
    </g>
  );
}

/** How values read: on the axis with as many decimals as the tick step needs, on hover in full. */
const FORMATS = {
  plain: { scale: 1, suffix: '', hoverDigits: 4 },
  percent: { scale: 100, suffix: '%', hoverDigits: 2 },
} as const;

export type ChartUnit = keyof typeof FORMATS;

function formatter(unit: ChartUnit) {
  const { scale, suffix, hoverDigits } = FORMATS[unit];
  return {
    tick: (y: number, step: number) => `${(y * scale).toFixed(Math.max(0, -Math.floor(Math.log10(step * scale) + 1e-9)))}${suffix}`,
    logTick: (y: number) => `${Number((y * scale).toPrecision(3))}${suffix}`,
    hover: (y: number) => `${(y * scale).toFixed(hoverDigits)}${suffix}`,
  };
}

export interface LineChartProps {
  title: string;
  xLabel: string;
  series: Series[];
  unit: ChartUnit;
  /** The x range drawn; points outside it are left out (a zoom). By default the data's, with some air. */
  xDomain?: [number, number];
  /** Where to mark the x axis and what to write there (categories need labels); by default the dotted points' x values. */
  xTicks?: { x: number; label: string }[];
  /** A log10 y axis (for losses that span decades); values ≤ 0 cannot be drawn on it and are left out. */
  logY?: boolean;
  /** Said under the chart: how its lines were made (smoothing), what is left out. */
  note?: string;
  /** A strip of images (a data: URI, 28 px high per image) shown with a point's value on hover: what the model saw at that x. */
  pointImages?: (x: number) => string | undefined;
}

/**
 * The one line plot of every page (run, compare, sweep), as plain SVG drawn on the server:
 * hovering anywhere above an x shows every series' value there (CSS, no script), with a <title>
 * for the native tooltip. Its legend is below the plot, so it holds any number of series.
 */
export function LineChart(props: LineChartProps) {
  const inRange = (x: number) => !props.xDomain || (x >= props.xDomain[0] && x <= props.xDomain[1]);
  // A point a script reported without the value (stored as null) is left out, not drawn at 0.
  const drawable = (y: number) => Number.isFinite(y) && (!props.logY || y > 0);
  const series = props.series
    .map((s) => ({
      ...s,
      points: s.points.filter((p) => inRange(p.x) && drawable(p.y)),
      band: s.band?.filter((b) => inRange(b.x) && drawable(b.low)),
    }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return <p class="muted">{props.title}: no points {props.xDomain ? 'in this range' : 'yet'}</p>;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const [x0, x1] = props.xDomain ?? paddedDomain(xs);
  const ys = series.flatMap((s) => [...s.points.map((p) => p.y), ...(s.band ?? []).flatMap((b) => [b.low, b.high])]).filter(drawable);
  const format = formatter(props.unit);
  const linear = valueAxis(ys);
  const log = props.logY ? logAxis(ys) : null;
  const [y0, y1] = log ? [Math.log10(log.domain[0]), Math.log10(log.domain[1])] : linear.domain;
  const yTicks = log ? log.ticks.map((t) => ({ at: t, label: format.logTick(t) })) : linear.ticks.map((t) => ({ at: t, label: format.tick(t, linear.step) }));
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * PLOT_W;
  const sy = (y: number) => MARGIN.top + (1 - ((log ? Math.log10(y) : y) - y0) / (y1 - y0)) * PLOT_H;
  const dotted = series.filter((s) => s.dots !== false);
  const dottedXs = [...new Set(dotted.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const xTicks = (props.xTicks ?? dottedXs.map((x) => ({ x, label: String(x) }))).filter((t) => t.x >= x0 && t.x <= x1);
  const path = (points: { x: number; y: number }[]) => points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const bandPath = (band: NonNullable<Series['band']>) =>
    `${path(band.map((b) => ({ x: b.x, y: b.high })))} ${path([...band].reverse().map((b) => ({ x: b.x, y: b.low }))).replace(/^M/, 'L')} Z`;
  // A dense line is read at the dotted x values, at the point nearest each.
  const valueAt = (s: Series, x: number) =>
    s.dots === false ? s.points.reduce((best, p) => (Math.abs(p.x - x) < Math.abs(best.x - x) ? p : best)) : s.points.find((p) => p.x === x);
  const hoverXs = dotted.length > 0 ? dottedXs : xs;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${props.title}${props.logY ? ' (log scale)' : ''}`}>
        <text class="chart-title" x={MARGIN.left} y={16}>
          {props.title}
          {props.logY ? ' (log scale)' : ''}
        </text>
        {yTicks.map((t) => (
          <g class="tick">
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={sy(t.at).toFixed(1)} y2={sy(t.at).toFixed(1)} />
            <text x={MARGIN.left - 6} y={(sy(t.at) + 4).toFixed(1)} text-anchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text class="tick" x={sx(t.x).toFixed(1)} y={HEIGHT - MARGIN.bottom + 16} text-anchor="middle">
            {t.label}
          </text>
        ))}
        <text class="axis-label" x={MARGIN.left + PLOT_W / 2} y={HEIGHT - 4} text-anchor="middle">
          {props.xLabel}
        </text>
        {series.map((s) => (s.band?.length ? <path class={`band ${s.className ?? ''}`} d={bandPath(s.band)} fill={s.colour} /> : ''))}
        {series.map((s) => (
          <g class={`series ${s.className ?? ''}${s.dots === false ? ' dense' : ''}`} data-label={s.label}>
            <path d={path(s.points)} stroke={s.colour} />
            {s.dots === false ? '' : s.points.map((p) => <circle cx={sx(p.x).toFixed(1)} cy={sy(p.y).toFixed(1)} r="4" fill={s.colour} />)}
          </g>
        ))}
        <HoverColumns
          xs={hoverXs}
          sx={sx}
          plot={{ left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom }}
          heading={(x) => `${props.xLabel} ${xTicks.find((t) => t.x === x)?.label ?? x}`}
          lines={(x) =>
            series.flatMap((s) => {
              const p = valueAt(s, x);
              return p ? [{ text: `${s.label}: ${format.hover(p.y)}`, className: s.className, colour: s.colour }] : [];
            })
          }
          images={props.pointImages}
        />
      </svg>
      <figcaption class="chart-legend">
        {series.map((s) => (
          <span class={s.className}>
            <i style={s.colour ? `background:${s.colour}` : undefined}></i>
            {s.label}
          </span>
        ))}
        {props.note ? <span class="chart-note">{props.note}</span> : ''}
      </figcaption>
    </figure>
  );
}
