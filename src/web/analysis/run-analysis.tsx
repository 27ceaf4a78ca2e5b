import type { DiscoveredSlice } from '../../analysis/slice-discovery.ts';
import type { SevenSliceReport, SliceOutcome } from '../../analysis/slice-metrics.ts';
import type { SlicesStatus } from '../../analysis/run-analyses/run-analyses.ts';
import type { Run } from '../../store/store.ts';
import { percent } from '../format.ts';
import type { TestImages } from '../test-images.ts';
import { AnalysisStyles } from './styles.tsx';
import { Tiles } from './tiles.tsx';

const mistakes = (list: { label: number; count: number }[], names?: string[]) =>
  list.length === 0 ? 'nothing' : list.slice(0, 3).map((m) => `${names?.[m.label] ?? m.label} (${m.count})`).join(', ');

const pValue = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));

function SliceRow({ name, outcome }: { name: string; outcome: SliceOutcome }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td class="num">{outcome.count}</td>
      <td class="num">{outcome.errors}</td>
      <td class="num">{percent(outcome.errorRate)}</td>
      <td class="num">
        {percent(outcome.interval.low)} – {percent(outcome.interval.high)}
      </td>
      <td>{mistakes(outcome.mistakenFor)}</td>
    </tr>
  );
}

/** Why a run on another dataset has no crossed-seven figures: the slice is MNIST's. */
export function SevenSlicesAbsent({ dataset }: { dataset: string }) {
  return (
    <p class="muted seven-slices-absent">
      No crossed-seven slice: it is MNIST's (sevens written with a bar through the stem), and this run is on {dataset}. The weak spots below are
      found on any dataset.
    </p>
  );
}

export function SevenSlices({ report }: { report: SevenSliceReport }) {
  return (
    <section class="seven-slices">
      <AnalysisStyles />
      <h2>Crossed and plain sevens</h2>
      <table class="data analysis">
        <thead>
          <tr>
            <th>slice</th>
            <th class="num">images</th>
            <th class="num">wrong</th>
            <th class="num">error</th>
            <th class="num">95% interval (Wilson)</th>
            <th>mistaken for</th>
          </tr>
        </thead>
        <tbody>
          <SliceRow name="crossed sevens" outcome={report.crossed} />
          <SliceRow name="plain sevens" outcome={report.plain} />
        </tbody>
      </table>
      <p class="muted">
        One-sided Fisher exact test that crossed sevens fail more often than plain ones: p = {pValue(report.pCrossedWorse)}. Crossed
        sevens are found by a detector on the image alone (precision and recall about 0.94 and 0.96 on 700 hand-labelled train sevens).
      </p>
    </section>
  );
}

export function DiscoveredSlices({ slices, runId, images, classNames }: { slices: DiscoveredSlice[]; runId: number; images: TestImages; classNames?: string[] }) {
  const name = (label: number) => classNames?.[label] ?? String(label);
  return (
    <section class="discovered-slices">
      <h2>Weak spots nobody named</h2>
      <p class="muted">
        Each class's test images clustered by the model's own embedding (k-means, seeded); clusters whose error is well above their
        class's (Bonferroni-adjusted Fisher p ≤ 0.01), worst first.
      </p>
      {slices.length === 0 ? <p>No cluster stands out.</p> : null}
      {slices.map((slice) => (
        <article class="card discovered" data-label={String(slice.label)}>
          <h3>
            {slice.size} images of {name(slice.label)}: {percent(slice.errorRate, 0)} wrong{' '}
            <span class="muted">
              (class {percent(slice.classErrorRate, 1)}; 95% {percent(slice.interval.low, 0)}–{percent(slice.interval.high, 0)}; adjusted p ={' '}
              {pValue(slice.adjustedP)}) · mistaken for {mistakes(slice.mistakenFor, classNames)}
            </span>
          </h3>
          <Tiles indices={slice.members} images={images} runId={runId} max={24} caption={(i) => `${name(slice.label)}${slice.members.indexOf(i) < slice.errors ? ' ✗' : ''}`} />
        </article>
      ))}
    </section>
  );
}

/** The run's discovered slices, or while they are computed (in a thread) a line that polls for them. */
export function DiscoveredSlicesPanel({ runId, status, images, classNames }: { runId: number; status: SlicesStatus; images: TestImages; classNames?: string[] }) {
  const id = `slices-${runId}`;
  if (status.state === 'ready') return <div id={id}><DiscoveredSlices slices={status.value} runId={runId} images={images} classNames={classNames} /></div>;
  if (status.state === 'failed') return <p id={id} class="error">Slice discovery failed: {status.error}</p>;
  if (status.state === 'unavailable') return <p id={id} class="muted">No discovered slices: {status.reason}.</p>;
  const stage = status.state === 'computing' ? status.stage : 'starting';
  return (
    <section id={id} class="discovered-slices" hx-get={`/runs/${runId}/slices`} hx-trigger="load delay:1s" hx-swap="outerHTML">
      <h2>Weak spots nobody named</h2>
      <p class="muted progress-text">Finding them: {stage}. It takes a few seconds and is done once.</p>
    </section>
  );
}

/** Where the run page loads the analysis; until the run completes it polls, as there is nothing to analyse yet. */
export function AnalysisSlot({ run }: { run: Run }) {
  const done = run.status === 'completed';
  const ended = run.status === 'failed' || run.status === 'cancelled';
  if (ended) return '';
  return (
    <section id="analysis" hx-get={`/runs/${run.id}/analysis`} hx-trigger={done ? 'load' : 'load delay:5s'} hx-swap="outerHTML">
      {done ? <p class="muted">Loading the slice analysis…</p> : ''}
    </section>
  );
}
