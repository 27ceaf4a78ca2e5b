import type { PairedRuns } from '../../analysis/compare/run-comparison.ts';
import { datasetQuery } from '../format.ts';
import { AttributionLegend, AttributionOverlay, overlayUrl } from './attribution.tsx';

/** Each overlay costs the server a model pass: a few of each kind show the pattern. */
const SHOWN = 6;

function Row({ paired, index }: { paired: PairedRuns; index: number }) {
  const { labels, a, b } = paired.predictions;
  const named = (c: number) => paired.classNames[c] ?? String(c);
  const map = (runId: number, predicted: number, name: string) => (
    <figure>
      <AttributionOverlay base={`/images/test/${index}.png${datasetQuery(paired.a.dataset, '?')}`} overlay={overlayUrl(runId, 'test', index, 'ig', predicted)} size={84} alt={`test image ${index} with run ${runId}'s map for ${named(predicted)}`} />
      <figcaption>
        {name} reads {named(predicted)}
      </figcaption>
    </figure>
  );
  return (
    <li class="ab-row" data-index={String(index)}>
      <a href={`/images/test/${index}?run=${paired.b.id}`} class="muted">
        #{index}, label {named(labels[index]!)}
      </a>
      <div class="attribution-pair">
        {map(paired.a.id, a[index]!, 'A')}
        {map(paired.b.id, b[index]!, 'B')}
      </div>
    </li>
  );
}

/** What each run looked at on images one got right and the other wrong: A's map beside B's, each for its own answer. */
export function AbMaps({ paired, fixed, broken }: { paired: PairedRuns; fixed: number[]; broken: number[] }) {
  if (fixed.length + broken.length === 0) return null;
  const group = (title: string, indices: number[]) =>
    indices.length === 0 ? null : (
      <>
        <h4>{title}</h4>
        <ul class="ab-maps">
          {indices.slice(0, SHOWN).map((index) => (
            <Row paired={paired} index={index} />
          ))}
        </ul>
      </>
    );
  return (
    <section class="ab-why">
      <h3>Why they differ: A's and B's integrated-gradients maps</h3>
      <AttributionLegend method="ig" note="each map for the class its run predicted" />
      {group(`Fixed (first ${Math.min(SHOWN, fixed.length)})`, fixed)}
      {group(`Broken (first ${Math.min(SHOWN, broken.length)})`, broken)}
    </section>
  );
}
