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

type ChartUnit = keyof typeof FORMATS;

function formatter(unit: ChartUnit) {
  const { scale, suffix, hoverDigits } = FORMATS[unit];
  return {
    tick: (y: number, step: number) => `${(y * scale).toFixed(Math.max(0, -Math.floor(Math.log10(step * scale) + 1e-9)))}${suffix}`,
    hover: (y: number) => `${(y * scale).toFixed(hoverDigits)}${suffix}`,
  };
}

/**
 * A line plot as plain SVG: hovering anywhere above an x shows every series' value there (CSS, no
 * script), with a <title> for the native tooltip.
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
  const yAxis = valueAxis(series.flatMap((s) => s.points.map((p) => p.y)));
  const [y0, y1] = yAxis.domain;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * PLOT_W;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * PLOT_H;
  const xTicks = props.xTicks ?? niceTicks(Math.ceil(x0), Math.floor(x1), 8).filter((t) => Number.isInteger(t));
  const { ticks: yTicks, step: yStep } = yAxis;
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
            {s.points.map((p) => (
              <circle cx={sx(p.x).toFixed(1)} cy={sy(p.y).toFixed(1)} r="4" />
            ))}
          </g>
        ))}
        <HoverColumns
          xs={series.flatMap((s) => s.points.map((p) => p.x))}
          sx={sx}
          plot={{ left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom }}
          heading={(x) => `${props.xLabel} ${x}`}
          lines={(x) =>
            series.flatMap((s) => s.points.filter((p) => p.x === x).map((p) => ({ text: `${s.label}: ${format.hover(p.y)}`, className: s.className })))
          }
          images={props.pointImages}
        />
      </svg>
    </figure>
  );
}
