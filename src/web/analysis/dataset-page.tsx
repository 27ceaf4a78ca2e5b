import type { DatasetFacts, Prevalence } from '../../analysis/dataset-facts.ts';
import type { Duplicates } from '../../analysis/duplicates.ts';
import type { JobStatus } from '../../analysis/job-status.ts';
import type { PictureSample } from '../../data/datasets/image-folder.ts';
import type { LabelIssue } from '../../analysis/label-issues/ranking.ts';
import { Layout } from '../components/layout.tsx';
import { datasetQuery, percent } from '../format.ts';
import { dataUri } from '../png-data-uri.ts';
import type { TestImages } from '../test-images.ts';
import { AnalysisStyles } from './styles.tsx';
import { Tiles } from './tiles.tsx';


function PrevalenceLine({ split, prevalence }: { split: string; prevalence: Prevalence }) {
  return (
    <li>
      <strong>{split}</strong>: {prevalence.crossed.toLocaleString('en')} of {prevalence.sevens.toLocaleString('en')} sevens are crossed,{' '}
      <strong class="prevalence">{percent(prevalence.share, 1)}</strong> (95% interval {percent(prevalence.interval.low, 1)} –{' '}
      {percent(prevalence.interval.high, 1)})
    </li>
  );
}

/**
 * A section whose result a thread is still computing: how far it is, polling `url` every second
 * for the finished section, or why it failed (no more polling).
 */
function PendingSection({ id, title, status, url, failed, working }: { id: string; title: string; status: Exclude<JobStatus<unknown>, { state: 'ready' }>; url: string; failed: string; working: string }) {
  const poll = status.state === 'failed' ? {} : { 'hx-get': url, 'hx-trigger': 'load delay:1s', 'hx-swap': 'outerHTML' };
  const what = status.state === 'failed' ? `${failed}: ${status.error}` : `${working}${status.state === 'computing' ? `: ${status.stage}` : ''}…`;
  return (
    <section id={id} {...poll}>
      <h2>{title}</h2>
      <p class={status.state === 'failed' ? 'error' : 'muted progress-text'}>{what}</p>
    </section>
  );
}

type IssuesStatus = JobStatus<{ runs: number; issues: LabelIssue[] }>;

/** The label issues section: the ranking, or while it is computed (in a thread) a line that polls for it. */
export function DatasetLabelIssues({ issues: status, images, dataset = 'mnist', classNames = [] }: { issues: IssuesStatus; images: TestImages; dataset?: string; classNames?: string[] }) {
  if (status.state !== 'ready') {
    return (
      <PendingSection id="dataset-label-issues" title="Label issues" status={status} url={`/dataset/label-issues${datasetQuery(dataset, '?')}`} failed="The ranking failed" working="Ranking them" />
    );
  }
  const issues = status.value;
  const name = (c: number) => classNames[c] ?? String(c);
  return (
    <section id="dataset-label-issues">
      <h2>Label issues</h2>
      <p class="muted">
        Test images of {dataset} whose given label the completed runs ({issues.runs}) doubt, ranked by confident learning over their mean
        probabilities, their neighbours' labels in embedding space and how many runs disagree. Most suspicious first;{' '}
        <a href={`/label-issues${datasetQuery(dataset, '?')}`}>review them one by one</a>
        {dataset === 'mnist' ? (
          <>
            , or <a href="/label-issues/training-set">search the training set</a>
          </>
        ) : (
          ''
        )}
        .
      </p>
      <Tiles
        indices={issues.issues.map((issue) => issue.index)}
        images={images}
        href={imageHref(dataset)}
        wrap={classNames.some((n) => n.length > 2)}
        caption={(i) => {
          const issue = issues.issues.find((x) => x.index === i)!;
          return `${name(issue.label)} → ${name(issue.suggested)}? ${percent(issue.evidence.labelProbability, 0)}`;
        }}
      />
    </section>
  );
}

/** Test images shown per class on the dataset page. */
const EXAMPLES_PER_CLASS = 8;

/** What the dataset page shows: the chosen dataset and the others to choose from. */
export interface DatasetView {
  name: string;
  classNames: string[];
  /** Every dataset, for the chooser. */
  names: string[];
  /** A picture folder's: a few pictures as found and as read (none for an IDX dataset). */
  samples: PictureSample[];
}

const mimeOf = (file: string) => (/\.png$/i.test(file) ? 'image/png' : 'image/jpeg');

/** How a picture folder's pictures become 28x28 images: one per class, before and after. */
function PictureSamples({ samples }: { samples: PictureSample[] }) {
  if (samples.length === 0) return '';
  return (
    <section class="picture-samples">
      <h2>Pictures as read</h2>
      <p class="muted">
        One test picture per class as found in the folder, and as the dataset holds it: greyscale, the whole picture 28×28 by area averaging,
        inverted when its border is light so that the object is light on dark, as in MNIST.
      </p>
      <ul class="tiles">
        {samples.map((sample) => (
          <li class="tile picture-sample">
            <img src={`data:${mimeOf(sample.file)};base64,${sample.original.toString('base64')}`} width="56" height="56" alt={`${sample.file} as found`} />
            <img src={dataUri(sample.image)} width="56" height="56" alt={`${sample.file} as read`} />
            <span class="caption named">
              {sample.className}
              <br />
              {sample.file}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

const imageHref = (dataset: string) => (i: number) => `/images/test/${i}${dataset === 'mnist' ? '' : `?dataset=${encodeURIComponent(dataset)}`}`;

function DatasetChooser({ view }: { view: DatasetView }) {
  return (
    <form method="get" action="/dataset" class="inline-form">
      <label>
        Dataset{' '}
        <select name="dataset">
          {view.names.map((name) => (
            <option value={name} selected={name === view.name}>
              {name}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Show</button>
    </form>
  );
}

/** Test images also in the training set, exactly or nearly; polls itself while the search runs in its thread. */
export function DuplicatesSection({ dataset, status, train, test }: { dataset: string; status: JobStatus<Duplicates>; train: TestImages; test: TestImages }) {
  const url = `/dataset/duplicates?dataset=${encodeURIComponent(dataset)}`;
  if (status.state !== 'ready') {
    const poll = status.state === 'computing' ? { 'hx-get': url, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {};
    return (
      <section id="duplicates" {...poll}>
        <h2>Leakage: test images in the training set</h2>
        <p class="muted">
          {status.state === 'computing'
            ? 'Searching every test image against every training image, in a thread of its own: seconds on 70,000 images. This part of the page updates itself.'
            : status.state === 'failed'
              ? `The search failed: ${status.error}`
              : status.state === 'unavailable'
                ? status.reason
                : 'Not searched yet.'}
        </p>
      </section>
    );
  }
  const d = status.value;
  const pair = (p: { test: number; train: number; rms: number }) => (
    <li class="tile duplicate-pair" data-test={String(p.test)}>
      <a href={imageHref(dataset)(p.test)} title={`test image ${p.test}`}>
        <img src={test.dataUri(p.test)} width="56" height="56" alt={`test image ${p.test}`} />
      </a>
      <img src={train.dataUri(p.train)} width="56" height="56" alt={`training image ${p.train}`} title={`training image ${p.train}`} />
      <span class="caption named">
        test {p.test}
        <br />
        train {p.train}
        <br />
        {p.rms > 0 ? `RMS ${(p.rms * 255).toFixed(1)}/255` : 'identical'}
      </span>
    </li>
  );
  return (
    <section id="duplicates">
      <h2>Leakage: test images in the training set</h2>
      <p>
        <strong class="exact-count">{d.exact.length}</strong> exact duplicates (the same pixels) and{' '}
        <strong class="near-count">{d.near.length}</strong> near ones among {d.testCount.toLocaleString('en')} test images, searched against{' '}
        {d.trainCount.toLocaleString('en')} training images in {d.seconds.toFixed(1)} s.
      </p>
      <p class="muted">
        Near: a root-mean-square pixel difference of at most {(d.threshold * 255).toFixed(0)} grey levels in 255 ({percent(d.threshold, 0)} of full
        scale): what re-encoding, a brightness change or a speck of noise leaves, while moving a stroke one pixel costs several times more. A test
        image a model has seen in training measures memory, not generalisation.
      </p>
      {d.exact.length + d.near.length === 0 ? (
        <p>None: the test set is clean of training images.</p>
      ) : (
        <ul class="tiles duplicate-pairs">{[...d.exact, ...d.near].slice(0, 48).map(pair)}</ul>
      )}
    </section>
  );
}

/** The facts section: class balance, examples, crossed sevens (MNIST) and mean images, or while they are computed (in a thread) a line that polls for them. */
export function DatasetFactsSection({ dataset, classNames, status, images }: { dataset: string; classNames: string[]; status: JobStatus<DatasetFacts>; images: TestImages }) {
  if (status.state !== 'ready') {
    return (
      <PendingSection id="dataset-facts" title="Class balance" status={status} url={`/dataset/facts${datasetQuery(dataset, '?')}`} failed="Reading the dataset failed" working="Counting both splits" />
    );
  }
  const facts = status.value;
  const { train, test } = facts;
  const name = (c: number) => classNames[c] ?? String(c);
  const examples = classNames.map(() => [] as number[]);
  for (let i = 0; i < images.count; i++) {
    const list = examples[images.labels[i]!];
    if (list && list.length < EXAMPLES_PER_CLASS) list.push(i);
  }
  return (
    <div id="dataset-facts">
      <section>
        <h2>Class balance</h2>
        <div class="table-scroll">
        <table class="data analysis class-balance">
          <thead>
            <tr>
              <th>split</th>
              {train.classCounts.map((_, label) => (
                <th class="num" title={name(label)}>
                  {name(label).length > 9 ? `${name(label).slice(0, 8)}…` : name(label)}
                </th>
              ))}
              <th class="num">all</th>
            </tr>
          </thead>
          <tbody>
            {[['train', train] as const, ['test', test] as const].map(([splitName, split]) => (
              <tr>
                <th scope="row">{splitName}</th>
                {split.classCounts.map((n) => (
                  <td class="num" title={percent(n / split.count, 1)}>
                    {n.toLocaleString('en')}
                  </td>
                ))}
                <td class="num">{split.count.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </section>
      <section class="examples">
        <h2>Examples per class (test)</h2>
        {examples.map((indices, label) => (
          <div class="class-examples" data-label={String(label)}>
            <h3>{name(label)}</h3>
            <Tiles indices={indices} images={images} caption={(i) => String(i)} href={imageHref(dataset)} />
          </div>
        ))}
      </section>
      {train.crossedSevens && test.crossedSevens ? (
      <section>
        <h2>Crossed sevens: rare?</h2>
        <ul>
          <PrevalenceLine split="train" prevalence={train.crossedSevens} />
          <PrevalenceLine split="test" prevalence={test.crossedSevens} />
        </ul>
        <p>
          About one seven in eight is crossed in both splits (Fisher exact test of equal prevalence, p = {facts.prevalenceP!.toPrecision(2)}).
          Crossed sevens are a minority, but not the visible lack they seemed: a model sees hundreds of them in training. Counted by a
          detector on the image alone, which on 700 hand-labelled train sevens has precision about 0.94 and recall about 0.96.
        </p>
        <h3>Crossed sevens in the test set</h3>
        <Tiles indices={test.crossedSevens.crossedIndices} images={images} caption={(i) => String(i)} />
        <h3>Plain sevens in the test set</h3>
        <Tiles indices={test.crossedSevens.plainIndices} images={images} caption={(i) => String(i)} />
      </section>
      ) : (
        <p class="muted">No crossed-seven slice: it is MNIST's (sevens written with a bar through the stem), and {dataset} has no such images.</p>
      )}
      <section>
        <h2>Mean image per class (train)</h2>
        <ul class="tiles mean-images">
          {train.meanImages.map((pixels, label) => (
            <li class="tile">
              <img src={dataUri(pixels)} width="56" height="56" alt={`mean train image of ${name(label)}`} />
              <span class="caption">{name(label)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export function DatasetPage({ view, facts, issues, images }: { view: DatasetView; facts: JobStatus<DatasetFacts>; issues: IssuesStatus; images: TestImages }) {
  const { classNames, name: dataset } = view;
  return (
    <Layout title={`Dataset ${dataset}`}>
      <AnalysisStyles />
      <h1>{dataset === 'mnist' ? 'MNIST' : dataset}</h1>
      <DatasetChooser view={view} />
      <PictureSamples samples={view.samples} />
      <DatasetFactsSection dataset={dataset} classNames={classNames} status={facts} images={images} />
      <div hx-get={`/dataset/duplicates?dataset=${encodeURIComponent(dataset)}`} hx-trigger="load" hx-swap="outerHTML">
        <p class="muted">Loading the leakage check…</p>
      </div>
      <DatasetLabelIssues issues={issues} images={images} dataset={dataset} classNames={classNames} />
      <section>
        <h2>Map of the test set's pixels</h2>
        <div hx-get={`/maps/pixels${datasetQuery(dataset, '?')}`} hx-trigger="load" hx-swap="outerHTML">
          <p class="muted">Loading the map…</p>
        </div>
      </section>
    </Layout>
  );
}
