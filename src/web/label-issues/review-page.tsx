import type { Child } from 'hono/jsx';
import type { LabelIssue } from '../../analysis/label-issues/ranking.ts';
import { REVIEW_SLICES, reviewProgress, type ReviewSlice } from '../../analysis/label-issues/review.ts';
import { LABEL_SPLITS, type LabelSplit } from '../../../db/schema.ts';
import { DEFAULT_DATASET } from '../../data/datasets/catalogue.ts';
import type { LabelDecision } from '../../store/label-issues-decisions.ts';
import { Tiles } from '../analysis/tiles.tsx';
import { Layout } from '../components/layout.tsx';
import { datasetQuery, dateTime, percent, plural } from '../format.ts';
import type { TestImages } from '../test-images.ts';

export interface ReviewView {
  /** Whose labels are reviewed, and what its label numbers mean. */
  dataset: string;
  classNames: string[];
  split: LabelSplit;
  slice: ReviewSlice;
  /** The label issues in the slice, ranked, and how many runs they come from. */
  issues: LabelIssue[];
  runs: number;
  /** Position of the one shown in `issues`; null when there is none to show. */
  at: number | null;
  decisions: Map<number, LabelDecision>;
  images: TestImages;
  /** The decision just made and the one it replaced, when it replaced one. */
  replaced?: { was: LabelDecision; now: LabelDecision };
}

const SLICE_NAMES: Record<ReviewSlice, string> = { all: 'all label issues', 'crossed-seven': 'crossed sevens', 'plain-seven': 'plain sevens' };

export const reviewUrl = (dataset: string, split: LabelSplit, slice: ReviewSlice, index?: number) =>
  `/label-issues?split=${split}&slice=${slice}${index === undefined ? '' : `&index=${index}`}${datasetQuery(dataset, '&')}`;

/** A label by its class name (the digit itself on MNIST). */
const className = (classNames: string[], label: number | null) => (label === null ? '?' : (classNames[label] ?? String(label)));

export function describeDecision(decision: LabelDecision, classNames: string[]): string {
  switch (decision.verdict) {
    case 'right':
      return 'label is right';
    case 'wrong':
      return `label is wrong: it is a ${className(classNames, decision.correctedLabel)}`;
    case 'ambiguous':
      return 'ambiguous / unreadable';
    case 'skip':
      return 'skipped';
  }
}

function Evidence({ issue, classNames }: { issue: LabelIssue; classNames: string[] }) {
  const { evidence: e } = issue;
  const [label, suggested] = [className(classNames, issue.label), className(classNames, issue.suggested)];
  return (
    <dl class="evidence">
      <dt>Given label</dt>
      <dd>
        <strong class="given">{label}</strong>, mean probability {percent(e.labelProbability, 1)}
      </dd>
      <dt>Suggested</dt>
      <dd>
        <strong class="suggested">{suggested}</strong>, mean probability {percent(e.suggestedProbability, 1)}
        {e.confidentLearning ? ' · confident learning flags it' : ''}
      </dd>
      <dt>Runs</dt>
      <dd>
        {e.runsDisagreeing} of {e.runs} predict another class; {e.runsSuggesting} predict {suggested}
      </dd>
      <dt>Neighbours</dt>
      <dd>
        {e.neighbours
          ? `${e.neighbours.sameLabel} of ${e.neighbours.counted} nearest in embedding space are labelled ${label}, ${e.neighbours.suggestedLabel} are labelled ${suggested}`
          : 'no embeddings stored for these runs'}
      </dd>
      <dt>Score</dt>
      <dd>{issue.score.toFixed(3)} (mean of the three doubts, 0 to 1)</dd>
    </dl>
  );
}

/** Where the image's attribution maps are: the review does not compute them itself, so it points to them. */
function AttributionSlot({ dataset, split, index }: { dataset: string; split: LabelSplit; index: number }) {
  return (
    <section class="attribution-slot" id="attribution-slot" data-split={split} data-index={String(index)}>
      <h3>Attribution map</h3>
      {split === 'test' ? (
        <p class="muted">
          Not drawn here. <a href={`/images/test/${index}${datasetQuery(dataset, '?')}`}>Test image #{index}</a> shows each run's map in its why panel.
        </p>
      ) : (
        <p class="muted">
          Not drawn here: <code>npx digitlab explain RUN --image {index} --split train</code> gives a run's map of this training image.
        </p>
      )}
    </section>
  );
}

function DecisionButtons({ view, issue }: { view: ReviewView; issue: LabelIssue }) {
  return (
    <form class="decisions" method="post" action="/label-issues/decide" hx-post="/label-issues/decide" hx-target="#review" hx-swap="outerHTML">
      <input type="hidden" name="dataset" value={view.dataset} />
      <input type="hidden" name="split" value={view.split} />
      <input type="hidden" name="slice" value={view.slice} />
      <input type="hidden" name="index" value={String(issue.index)} />
      <div class="decision-row">
        <button type="submit" name="decision" value="right" data-key="r">
          Label is right <kbd>r</kbd>
        </button>
        <button type="submit" name="decision" value="ambiguous" data-key="a">
          Ambiguous / unreadable <kbd>a</kbd>
        </button>
        <button type="submit" name="decision" value="skip" data-key="s">
          Skip <kbd>s</kbd>
        </button>
      </div>
      <p class="muted">Label is wrong, it is a:</p>
      <div class="decision-row digits">
        {view.classNames.map((name, d) => {
          // A digit key picks the first ten classes: one keystroke each, as on MNIST.
          const key = d < 10 ? String(d) : undefined;
          return (
            <button type="submit" name="decision" value={`wrong-${d}`} data-key={key} class={d === issue.suggested ? 'primary' : undefined} title={`label is wrong: it is a ${name}${key ? ` (key ${key})` : ''}`}>
              {name}
            </button>
          );
        })}
      </div>
    </form>
  );
}

/** The decision on the image shown: a skip leaves it undecided, and choosing again replaces a decision. */
function CurrentDecision({ decision, classNames }: { decision: LabelDecision | undefined; classNames: string[] }) {
  if (!decision) return <p class="current-decision undecided">Not decided yet.</p>;
  if (decision.verdict === 'skip') {
    return <p class="current-decision undecided">Skipped {dateTime(decision.decidedAt)}: not decided yet.</p>;
  }
  return (
    <p class={`current-decision ${decision.verdict}`}>
      Decided: <strong>{describeDecision(decision, classNames)}</strong> <span class="muted">({dateTime(decision.decidedAt)}). Choosing again replaces this decision.</span>
    </p>
  );
}

/**
 * The panel htmx swaps. Its snapshots in htmx's history cache would show decisions as they were
 * before the panel moved on, so while it is on the page Back fetches the page afresh (hx-history).
 */
function Panel({ view, index, children }: { view: ReviewView; index?: number; children: Child }) {
  const { decided, skipped } = reviewProgress(view.issues, view.decisions);
  const { replaced } = view;
  return (
    <section id="review" data-index={index === undefined ? undefined : String(index)} hx-history="false">
      <p class="review-count">
        {decided} of {view.issues.length} label issues decided{skipped.length > 0 ? `, ${skipped.length} skipped` : ''} ({SLICE_NAMES[view.slice]}, {view.split} set, from{' '}
        {plural(view.runs, 'run')})
      </p>
      {replaced ? (
        <p class="notice replaced" role="status">
          Image #{replaced.now.imageIndex}: replaced the earlier decision ({describeDecision(replaced.was, view.classNames)}) with {describeDecision(replaced.now, view.classNames)}.
        </p>
      ) : (
        ''
      )}
      {children}
    </section>
  );
}

/** What the panel says when no label issue is left to show. */
function NothingLeft({ view }: { view: ReviewView }) {
  const { skipped } = reviewProgress(view.issues, view.decisions);
  return (
    <p class="empty">
      {view.issues.length === 0 ? (
        view.split === 'train' ? (
          'No training-set label issues yet: search the training set first.'
        ) : (
          'No label issues: no completed run has predicted the whole test set yet.'
        )
      ) : skipped.length > 0 ? (
        <>
          Every label issue here is decided or skipped. <a href={reviewUrl(view.dataset, view.split, view.slice, skipped[0])}>Decide the skipped ones</a>
        </>
      ) : (
        'Every label issue here is decided.'
      )}{' '}
      {view.split === 'train' ? <a href="/label-issues/training-set">Search the training set</a> : ''}
    </p>
  );
}

/** One label issue: the image large, its evidence, its neighbours, the decision buttons. A fragment the page also renders. */
export function ReviewPanel({ view }: { view: ReviewView }) {
  const issue = view.at === null ? undefined : view.issues[view.at];
  if (!issue) {
    return (
      <Panel view={view}>
        <NothingLeft view={view} />
      </Panel>
    );
  }
  const prev = view.issues[(view.at! - 1 + view.issues.length) % view.issues.length]!;
  const next = view.issues[(view.at! + 1) % view.issues.length]!;
  return (
    <Panel view={view} index={issue.index}>
      <div class="review-grid">
        <div class="review-image">
          <img src={view.images.dataUri(issue.index)} width="280" height="280" alt={`${view.split} image ${issue.index}`} />
          <p>
            Label issue {view.at! + 1} of {view.issues.length}: {view.split} image <strong>#{issue.index}</strong>
          </p>
          <p class="review-nav">
            <a href={reviewUrl(view.dataset, view.split, view.slice, prev.index)} data-key="ArrowLeft">← previous</a>
            <a href={reviewUrl(view.dataset, view.split, view.slice, next.index)} data-key="ArrowRight">next →</a>
          </p>
        </div>
        <div>
          <CurrentDecision decision={view.decisions.get(issue.index)} classNames={view.classNames} />
          <DecisionButtons view={view} issue={issue} />
          <Evidence issue={issue} classNames={view.classNames} />
        </div>
      </div>
      <h3>Nearest neighbours in embedding space</h3>
      {issue.evidence.neighbours ? (
        <Tiles
          indices={issue.evidence.neighbours.nearest.map((n) => n.index)}
          images={view.images}
          split={view.split}
          href={view.split === 'train' ? () => '#' : (i) => `/images/test/${i}${datasetQuery(view.dataset, '?')}`}
          wrap={view.classNames.some((n) => n.length > 2)}
          caption={(i) => `#${i} label ${className(view.classNames, view.images.labels[i]!)}`}
        />
      ) : (
        <p class="muted">None: the runs that predicted this image stored no embeddings.</p>
      )}
      <AttributionSlot dataset={view.dataset} split={view.split} index={issue.index} />
    </Panel>
  );
}

/** The split and slice choosers; the training set and the seven slices are MNIST's alone, so another dataset's review offers neither. */
function ReviewFilters({ view }: { view: ReviewView }) {
  const mnist = view.dataset === DEFAULT_DATASET;
  return (
    <form class="review-filters" method="get" action="/label-issues">
      {mnist ? '' : <input type="hidden" name="dataset" value={view.dataset} />}
      <select name="split" aria-label="split">
        {(mnist ? LABEL_SPLITS : (['test'] as const)).map((split) => (
          <option value={split} selected={view.split === split}>
            {split} set
          </option>
        ))}
      </select>
      <select name="slice" aria-label="slice">
        {(mnist ? REVIEW_SLICES : (['all'] as const)).map((slice) => (
          <option value={slice} selected={view.slice === slice}>
            {SLICE_NAMES[slice]}
          </option>
        ))}
      </select>
      <button type="submit">Show</button>
      <a href={`/label-issues/decisions.csv${datasetQuery(view.dataset, '?')}`}>Export decisions (CSV)</a>
    </form>
  );
}

export function ReviewPage({ view }: { view: ReviewView }) {
  const mnist = view.dataset === DEFAULT_DATASET;
  const shown = mnist ? 'MNIST' : view.dataset;
  return (
    <Layout title={`Label issues${mnist ? '' : ` of ${view.dataset}`}`}>
      <p class="crumbs">
        <a href={`/dataset${datasetQuery(view.dataset, '?')}`}>{shown}</a> › label issues
        {mnist ? (
          <>
            {' '}
            · <a href="/label-issues/training-set">search the training set</a>
          </>
        ) : (
          ''
        )}
      </p>
      <h1>Label issues{mnist ? '' : ` of ${view.dataset}`}</h1>
      <p class="muted dataset-scope">
        {shown}'s labels, as the completed {shown} runs doubt them: decisions are kept by {shown} image index. Another dataset's are reviewed from its{' '}
        <a href="/dataset">dataset page</a> (choose the dataset there); <code>digitlab label-issues --dataset NAME</code> lists them too.
      </p>
      <ReviewFilters view={view} />
      <p class="muted">Keys: a digit says the label is wrong and the image is that {mnist ? 'digit' : 'class (the first ten classes, 0 for the first)'}; r right, a ambiguous, s skip; ← → move.</p>
      <ReviewPanel view={view} />
      <script src="/static/label-issues.js" defer></script>
    </Layout>
  );
}
