import { percent } from '../format.ts';

/** What each bar is called: the dataset's class names when given, else the class numbers. */
const nameOf = (names: string[] | undefined, c: number) => names?.[c] ?? String(c);

const barClass = (digit: number, label: number, predicted: number) =>
  digit === predicted ? (digit === label ? 'bar right' : 'bar wrong') : digit === label ? 'bar truth' : 'bar';

/** A tiny bar per class for a gallery tile (60 px wide whatever the count); hover names each class's probability. */
export function MiniBars({ probabilities, label, predicted, classNames }: { probabilities: Float32Array; label: number; predicted: number; classNames?: string[] }) {
  const step = 60 / probabilities.length;
  return (
    <svg class="mini-bars" viewBox="0 0 60 16" role="img" aria-label="probabilities">
      {[...probabilities.keys()].map((d) => {
        const h = Math.max(0.5, probabilities[d]! * 16);
        return (
          <rect class={barClass(d, label, predicted)} x={(d * step).toFixed(2)} y={16 - h} width={Math.max(0.5, step - 1).toFixed(2)} height={h}>
            <title>
              {nameOf(classNames, d)}: {percent(probabilities[d]!)}
            </title>
          </rect>
        );
      })}
    </svg>
  );
}

/** The model's probabilities for one image, one labelled bar per class; class names push the bars right. */
export function ProbabilityChart({ probabilities, label, predicted, classNames }: { probabilities: Float32Array; label: number; predicted: number; classNames?: string[] }) {
  const rowH = 26;
  const classes = [...probabilities.keys()];
  const longest = Math.max(...classes.map((c) => nameOf(classNames, c).length));
  const left = Math.max(28, Math.min(150, 12 + longest * 8));
  const track = 250;
  return (
    <svg class="probability-chart" viewBox={`0 0 ${left + track + 82} ${rowH * classes.length + 4}`} role="img" aria-label="probability of each class">
      {classes.map((d) => {
        const p = probabilities[d]!;
        const y = d * rowH + 2;
        return (
          <g>
            <title>
              {nameOf(classNames, d)}: {percent(p, 3)}
            </title>
            <text class="digit" x="8" y={y + 17}>
              {nameOf(classNames, d).slice(0, 18)}
            </text>
            <rect class="track" x={left} y={y + 3} width={track} height={rowH - 8} />
            <rect class={barClass(d, label, predicted)} x={left} y={y + 3} width={Math.max(1, p * track).toFixed(1)} height={rowH - 8} />
            <text class="value" x={left + track + 8} y={y + 17}>
              {percent(p, 1)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
