import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { getRun } from '../../store/store.ts';
import { predictionsOfTestImage, type RunPredictionOfImage } from '../../store/test-image-predictions.ts';
import { WhySlot } from '../explain/why-panel.tsx';
import { Layout } from '../components/layout.tsx';
import { ProbabilityChart } from '../components/probability-bars.tsx';
import type { WebDeps } from '../deps.ts';
import { datasetQuery, percent } from '../format.ts';
import { queryInt } from '../params.ts';
import type { TestImages } from '../test-images.ts';
import { cellWalk, type CellWalk } from '../run-results.ts';
import { matrixCellOf } from '../run-view-state.ts';

function imageIndex(c: Context, images: TestImages, dataset: string): number {
  const index = Number(c.req.param('index'));
  if (index >= images.count) throw new HTTPException(404, { message: `${dataset}'s test set has images 0 to ${images.count - 1}; there is no ${index}` });
  return index;
}

/** `?dataset=NAME` when it names one other than MNIST, for links that must keep it. */

/**
 * Whose test set the image is from: `?dataset=`, else the dataset of the run in `?run=`, else MNIST.
 * An unknown dataset is a 404 naming the known ones.
 */
function datasetOf(c: Context, db: WebDeps['db']): string {
  const named = c.req.query('dataset');
  if (named) return named;
  const runId = queryInt(c, 'run', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (runId === undefined) return 'mnist';
  try {
    return getRun(db, runId).dataset;
  } catch {
    return 'mnist';
  }
}

function RunChooser({ index, predictions, chosen, dataset }: { index: number; predictions: RunPredictionOfImage[]; chosen: RunPredictionOfImage; dataset: string }) {
  return (
    <form method="get" action={`/images/test/${index}`} class="inline-form">
      {dataset === 'mnist' ? '' : <input type="hidden" name="dataset" value={dataset} />}
      <label>
        Probabilities from{' '}
        <select name="run">
          {predictions.map((p) => (
            <option value={String(p.runId)} selected={p === chosen}>
              #{p.runId} {p.runName}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

function RunsVerdict({ predictions, label, index, name }: { predictions: RunPredictionOfImage[]; label: number; index: number; name: (c: number) => string }) {
  const right = predictions.filter((p) => p.predicted === label).length;
  return (
    <section>
      <h2>
        {right} of {predictions.length} runs got it right
      </h2>
      <table class="verdicts">
        <thead>
          <tr>
            <th>Run</th>
            <th>Predicted</th>
            <th>Confidence</th>
            <th>P(true label)</th>
          </tr>
        </thead>
        <tbody>
          {predictions.map((p) => (
            <tr class={p.predicted === label ? 'right' : 'wrong'}>
              <td>
                <a href={`/images/test/${index}?run=${p.runId}`}>
                  #{p.runId} {p.runName}
                </a>
              </td>
              <td class="num">
                {name(p.predicted)} {p.predicted === label ? '✓' : '✗'}
              </td>
              <td class="num">{percent(p.probabilities[p.predicted]!)}</td>
              <td class="num">{percent(p.probabilities[label]!)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Previous and next: among the confusion-matrix cell's images when the image was opened from its
 * gallery (`cell=3-5`), in the gallery's order, else through the whole test set.
 */
function ImageWalk({ index, count, imageLink, walk, name }: { index: number; count: number; imageLink: (i: number) => string; walk: CellWalk | null; name: (c: number) => string }) {
  if (!walk) {
    return (
      <nav class="pager">
        {index > 0 ? <a href={imageLink(index - 1)}>← previous</a> : ''}
        {index + 1 < count ? <a href={imageLink(index + 1)}>next →</a> : ''}
      </nav>
    );
  }
  const { runId } = walk;
  const cell = `${walk.cell.label}-${walk.cell.predicted}`;
  const cellLink = (i: number) => `/images/test/${i}?run=${runId}&cell=${cell}`;
  return (
    <>
      <nav class="pager" aria-label="images of the confusion-matrix cell">
        {walk.previous !== null ? <a href={cellLink(walk.previous)}>← previous</a> : ''}
        {walk.next !== null ? <a href={cellLink(walk.next)}>next →</a> : ''}
      </nav>
      <p class="muted">
        {walk.position} of {walk.count} in <a href={`/runs/${runId}?cell=${cell}`}>true {name(walk.cell.label)}, predicted {name(walk.cell.predicted)}</a>
      </p>
    </>
  );
}

/**
 * One test image of a dataset (`?dataset=`, or the run's in `?run=`; MNIST by default): large, its
 * label by name, a chosen run's probabilities, and the verdict of every run on that dataset.
 */
export function imageRoutes({ db, datasets }: WebDeps): Hono {
  return new Hono()
    .get('/images/test/:file{[0-9]{1,5}\\.png}', (c) => {
      const index = Number(c.req.param('file').replace('.png', ''));
      const images = datasets.test(datasetOf(c, db));
      if (index >= images.count) return c.notFound();
      c.header('Content-Type', 'image/png');
      // The test set never changes, so neither does its picture.
      c.header('Cache-Control', 'public, max-age=31536000, immutable');
      return c.body(new Uint8Array(images.png(index)));
    })
    .get('/images/test/:index{[0-9]{1,5}}', (c) => {
      const dataset = datasetOf(c, db);
      const images = datasets.test(dataset);
      const classNames = datasets.classNames(dataset);
      const name = (k: number) => classNames[k] ?? String(k);
      const index = imageIndex(c, images, dataset);
      const label = images.labels[index]!;
      const predictions = predictionsOfTestImage(db, index, dataset, classNames.length);
      const runId = queryInt(c, 'run', { min: 1, max: Number.MAX_SAFE_INTEGER });
      const chosen = runId === undefined ? predictions[0] : predictions.find((p) => p.runId === runId);
      // A run that exists but stopped short of this image (its test limit): show the image anyway,
      // say so, and keep the run in the links so paging on reaches its images again.
      const untested = runId !== undefined && !chosen ? getRun(db, runId) : undefined;
      const linkedRun = chosen?.runId ?? untested?.id;
      const cell = matrixCellOf(c);
      const walk = chosen && cell ? cellWalk(images.labels, db, chosen.runId, cell, index) : null;
      const imageLink = (i: number) => `/images/test/${i}${linkedRun === undefined ? datasetQuery(dataset, '?') : `?run=${linkedRun}`}`;
      return c.html(
        <Layout title={`Test image ${index}${dataset === 'mnist' ? '' : ` of ${dataset}`}`}>
          <p class="crumbs">
            <a href="/runs">Runs</a>
            {linkedRun !== undefined ? (
              <>
                {' '}
                › <a href={`/runs/${linkedRun}`}>run {linkedRun}</a>
              </>
            ) : (
              ''
            )}{' '}
            › {dataset === 'mnist' ? '' : `${dataset} `}test image {index}
          </p>
          <div class="image-view">
            <figure class="big-image">
              <img src={`/images/test/${index}.png${datasetQuery(dataset, '?')}`} width="280" height="280" alt={`test image ${index}, labelled ${name(label)}`} />
              <figcaption>
                <h1>
                  {dataset === 'mnist' ? '' : <span class="badge badge-dataset">{dataset}</span>} Test image <strong>{index}</strong> · label{' '}
                  <strong class="truth">{name(label)}</strong>
                </h1>
              </figcaption>
              <ImageWalk index={index} count={images.count} imageLink={imageLink} walk={walk} name={name} />
            </figure>
            <section class="card">
              {chosen ? (
                <>
                  <RunChooser index={index} predictions={predictions} chosen={chosen} dataset={dataset} />
                  <p>
                    Run #{chosen.runId} predicts <strong class={chosen.predicted === label ? 'right' : 'wrong'}>{name(chosen.predicted)}</strong> with{' '}
                    {percent(chosen.probabilities[chosen.predicted]!)}
                  </p>
                  <ProbabilityChart probabilities={chosen.probabilities} label={label} predicted={chosen.predicted} classNames={classNames} />
                </>
              ) : untested ? (
                <p class="muted">
                  Run #{untested.id} did not test this image: it tested the first {((untested.params as Hyperparameters).testLimit ?? images.count).toLocaleString('en')} test
                  images.
                </p>
              ) : (
                <p class="muted">No completed run has a prediction for this image yet.</p>
              )}
            </section>
          </div>
          {chosen ? <WhySlot runId={chosen.runId} index={index} /> : ''}
          {predictions.length > 0 ? <RunsVerdict predictions={predictions} label={label} index={index} name={name} /> : ''}
        </Layout>,
      );
    });
}
