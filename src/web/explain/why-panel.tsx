import { datasetQuery } from '../format.ts';
import { METHOD_NAMES, type Attribution, type ExplainMethod } from '../../analysis/explain/explain.ts';
import { mapScale } from '../../analysis/explain/attribution-png.ts';
import type { Neighbour } from '../../analysis/own-digits/neighbours.ts';
import type { TestImages } from '../test-images.ts';
import { AttributionLegend, AttributionOverlay, overlayUrl } from './attribution.tsx';

export interface WhyView {
  runId: number;
  /** The run's dataset, whose test image this is, and what its classes are called. */
  dataset: string;
  classNames: string[];
  index: number;
  label: number;
  predicted: number;
  method: ExplainMethod;
  /** The map itself, or why there is none (no gradients for integrated gradients). */
  attribution: Attribution | { absent: string };
  /** Null while the training embeddings are computed; a string when they cannot exist. */
  neighbours: Neighbour[] | null | string;
}

const whyUrl = (view: Pick<WhyView, 'runId' | 'index'>, method: ExplainMethod, target: number) => `/runs/${view.runId}/why/test/${view.index}?method=${method}&class=${target}`;

function Choosers({ view, target }: { view: WhyView; target: number }) {
  const button = (method: ExplainMethod, c: number, text: string) => (
    <button type="button" hx-get={whyUrl(view, method, c)} hx-target="#why" hx-swap="outerHTML" aria-pressed={method === view.method && c === target ? 'true' : 'false'}>
      {text}
    </button>
  );
  return (
    <p class="why-choosers">
      {(['ig', 'occlusion'] as const).map((m) => button(m, target, METHOD_NAMES[m]))} ·{' '}
      {[...new Set([view.predicted, view.label])].map((c) => button(view.method, c, `class ${view.classNames[c]}${c === view.label ? ' (label)' : ' (predicted)'}`))}
    </p>
  );
}

function Neighbours({ view, trainImages }: { view: WhyView; trainImages: TestImages }) {
  if (typeof view.neighbours === 'string') return <p class="muted">No nearest training images: {view.neighbours}.</p>;
  if (view.neighbours === null) {
    return (
      <p class="muted" hx-get={whyUrl(view, view.method, 'target' in view.attribution ? view.attribution.target : view.predicted)} hx-trigger="load delay:2s" hx-target="#why" hx-swap="outerHTML">
        Computing the embeddings of the training images this run learned from (once, in a background thread, under a minute)…
      </p>
    );
  }
  const same = view.neighbours.filter((n) => trainImages.labels[n.index] === view.label).length;
  const nameOf = (index: number) => view.classNames[trainImages.labels[index]!];
  return (
    <>
      <p class="muted">
        {same} of {view.neighbours.length} carry this image's label ({view.classNames[view.label]}). Distances in the run's embedding.
      </p>
      <ul class="tiles train-neighbours">
        {view.neighbours.map((n) => (
          <li class="tile">
            <img src={trainImages.dataUri(n.index)} width="56" height="56" alt={`training image ${n.index}, labelled ${nameOf(n.index)}`} />
            <span class="caption">
              {nameOf(n.index)} · {n.distance.toFixed(2)}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The image page's "why": the map over the image with its legend and choosers, and the nearest training images. */
export function WhyPanel({ view, trainImages }: { view: WhyView; trainImages: TestImages }) {
  const attribution = view.attribution;
  const target = 'target' in attribution ? attribution.target : view.predicted;
  const targetName = view.classNames[target];
  return (
    <section id="why" class="card why-panel">
      <h2>Why run #{view.runId} read it so</h2>
      <Choosers view={view} target={target} />
      {'absent' in attribution ? (
        <p class="muted">No {METHOD_NAMES[view.method]} map: {attribution.absent}.</p>
      ) : (
        <div class="attribution-pair">
          <AttributionOverlay base={`/images/test/${view.index}.png${datasetQuery(view.dataset, '?')}`} overlay={overlayUrl(view.runId, 'test', view.index, view.method, target)} size={196} alt={`test image ${view.index} with its map`} />
          <div>
            <AttributionLegend method={view.method} target={targetName} scale={mapScale(attribution.map)} />
            <p class="muted">
              Map sum {attribution.map.reduce((a, b) => a + b, 0).toFixed(3)}
              {attribution.completenessError === null ? '' : `; it should equal p(${targetName}) minus p(${targetName}) of a black image, and is off by ${Math.abs(attribution.completenessError).toExponential(1)} (completeness)`}
              .
            </p>
          </div>
        </div>
      )}
      <h3>Nearest training images</h3>
      <Neighbours view={view} trainImages={trainImages} />
    </section>
  );
}

/** Where the image page loads the panel: it runs the model, so after the page. */
export const WhySlot = ({ runId, index }: { runId: number; index: number }) => (
  <section id="why" hx-get={`/runs/${runId}/why/test/${index}`} hx-trigger="load" hx-swap="outerHTML">
    <p class="muted">Computing why…</p>
  </section>
);
