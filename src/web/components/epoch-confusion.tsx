import { ConfusionMatrix } from './confusion-matrix.tsx';

export interface EpochConfusions {
  runId: number;
  /** The stored validation matrices, in epoch order. */
  epochs: { epoch: number; counts: number[][] }[];
  /** Which epoch to show: one of `epochs`. */
  epoch: number;
}

const changedCells = (counts: number[][], previous: number[][]) => counts.flatMap((row, t) => row.filter((n, p) => n !== previous[t]![p])).length;
const mistakes = (counts: number[][]) => counts.reduce((n, row, t) => n + row.reduce((a, b, p) => a + (p === t ? 0 : b), 0), 0);

/** A button that swaps this section for another epoch's; disabled at either end. */
function StepButton({ runId, to, label }: { runId: number; to: number | undefined; label: string }) {
  return to === undefined ? (
    <button type="button" disabled>
      {label}
    </button>
  ) : (
    <button type="button" hx-get={`/runs/${runId}/epoch-confusion?epoch=${to}`} hx-target="#epoch-confusion" hx-swap="outerHTML" data-epoch={to}>
      {label}
    </button>
  );
}

/**
 * The validation confusion matrix of one epoch, with buttons to step to the epoch before and
 * after; cells whose count changed since the epoch before are outlined and show the change, so
 * a person sees which confusions training resolved and which it made.
 */
export function EpochConfusion({ runId, epochs, epoch }: EpochConfusions) {
  const at = epochs.findIndex((e) => e.epoch === epoch);
  const { counts } = epochs[at]!;
  const previous = at > 0 ? epochs[at - 1]! : undefined;
  const next = epochs[at + 1];
  const summary = previous
    ? `${changedCells(counts, previous.counts)} cells changed since epoch ${previous.epoch} (outlined, with the change); ${mistakes(counts)} validation mistakes, ${mistakes(previous.counts)} before.`
    : `The first epoch: nothing to compare with yet. ${mistakes(counts)} validation mistakes.`;
  return (
    <section id="epoch-confusion" class="epoch-confusion">
      <h2>Validation confusion by epoch</h2>
      <div class="epoch-stepper">
        <StepButton runId={runId} to={previous?.epoch} label="← earlier" />
        <span class="epoch-at">
          epoch {epoch} of {epochs.at(-1)!.epoch}
        </span>
        <StepButton runId={runId} to={next?.epoch} label="later →" />
      </div>
      <p class="muted">{summary}</p>
      <ConfusionMatrix counts={counts} previous={previous?.counts} caption="Validation split · rows: true label · columns: predicted label." />
    </section>
  );
}
