import { percent } from '../format.ts';

const DIGITS = [...Array(10).keys()];

const barClass = (digit: number, label: number, predicted: number) =>
  digit === predicted ? (digit === label ? 'bar right' : 'bar wrong') : digit === label ? 'bar truth' : 'bar';

/** Ten tiny bars for a gallery tile; hover names each digit's probability. */
export function MiniBars({ probabilities, label, predicted }: { probabilities: Float32Array; label: number; predicted: number }) {
  return (
    <svg class="mini-bars" viewBox="0 0 60 16" role="img" aria-label="probabilities">
      {DIGITS.map((d) => {
        const h = Math.max(0.5, probabilities[d]! * 16);
        return (
          <rect class={barClass(d, label, predicted)} x={d * 6} y={16 - h} width="5" height={h}>
            <title>
              {d}: {percent(probabilities[d]!)}
            </title>
          </rect>
        );
      })}
    </svg>
  );
}

/** The model's probabilities for one image, one labelled bar per digit. */
export function ProbabilityChart({ probabilities, label, predicted }: { probabilities: Float32Array; label: number; predicted: number }) {
  const rowH = 26;
  return (
    <svg class="probability-chart" viewBox={`0 0 360 ${rowH * 10 + 4}`} role="img" aria-label="probability of each digit">
      {DIGITS.map((d) => {
        const p = probabilities[d]!;
        const y = d * rowH + 2;
        return (
          <g>
            <title>
              {d}: {percent(p, 3)}
            </title>
            <text class="digit" x="8" y={y + 17}>
              {d}
            </text>
            <rect class="track" x="28" y={y + 3} width="250" height={rowH - 8} />
            <rect class={barClass(d, label, predicted)} x="28" y={y + 3} width={Math.max(1, p * 250).toFixed(1)} height={rowH - 8} />
            <text class="value" x="286" y={y + 17}>
              {percent(p, 1)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
