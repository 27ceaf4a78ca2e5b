import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { EXPLAIN_METHODS, GradientsUnavailableError, type ExplainMethod } from '../../analysis/explain/explain.ts';
import { attributionPng } from '../../analysis/explain/attribution-png.ts';
import { nearestVectors } from '../../analysis/own-digits/neighbours.ts';
import { getRun } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { queryInt, RUN_ID, runIdOf } from '../params.ts';
import type { TestImages } from '../test-images.ts';
import { isCrossSite } from '../request-guard.ts';
import { WhyPanel } from './why-panel.tsx';
import { CalibrationView, RobustnessView } from './run-why.tsx';
import { runCalibration } from '../../analysis/calibration/run-calibration.ts';

const NEIGHBOURS = 12;

function methodOf(c: Context): ExplainMethod {
  const method = c.req.query('method') ?? 'ig';
  if (!(EXPLAIN_METHODS as readonly string[]).includes(method)) throw new HTTPException(400, { message: `method must be one of ${EXPLAIN_METHODS.join(', ')}; got '${method}'` });
  return method as ExplainMethod;
}

function imageOf(images: TestImages, index: number, split: string): Float32Array {
  if (index >= images.count) throw new HTTPException(404, { message: `the ${split} set has images 0 to ${images.count - 1}; there is no ${index}` });
  return images.pixels(index);
}

/** Attribution maps as overlay PNGs, the image page's "why" panel, training-image PNGs, and the run page's calibration and robustness. */
export function explainRoutes({ db, datasets, jobs, analyses, explainer }: WebDeps): Hono {
  /** A run's own dataset's splits: its test images, and its training images for nearest neighbours. */
  const testOf = (run: { dataset: string }) => datasets.test(run.dataset);
  const trainOf = (run: { dataset: string }) => datasets.train(run.dataset);
  const lastClass = (run: { dataset: string }) => datasets.classNames(run.dataset).length - 1;
  return new Hono()
    .get('/images/train/:file{[0-9]{1,5}\\.png}', (c) => {
      const index = Number(c.req.param('file').replace('.png', ''));
      const trainImages = datasets.train(c.req.query('dataset')?.trim() || 'mnist');
      if (index >= trainImages.count) return c.notFound();
      c.header('Content-Type', 'image/png');
      c.header('Cache-Control', 'public, max-age=31536000, immutable');
      return c.body(new Uint8Array(trainImages.png(index)));
    })
    .get(`/runs/${RUN_ID}/explain/:split{test|train}/:file{[0-9]{1,5}\\.png}`, async (c) => {
      const run = getRun(db, runIdOf(c));
      const split = c.req.param('split');
      const image = imageOf(split === 'test' ? testOf(run) : trainOf(run), Number(c.req.param('file').replace('.png', '')), split);
      const { attribution } = await explainer.explain(run, image, queryInt(c, 'class', { min: 0, max: lastClass(run) }) ?? null, methodOf(c));
      if ('absent' in attribution) throw new GradientsUnavailableError(attribution.absent);
      c.header('Content-Type', 'image/png');
      return c.body(new Uint8Array(attributionPng(attribution.map, null)));
    })
    .get(`/runs/${RUN_ID}/why/test/:index{[0-9]{1,5}}`, async (c) => {
      const run = getRun(db, runIdOf(c));
      const index = Number(c.req.param('index'));
      const images = testOf(run);
      const image = imageOf(images, index, 'test');
      const method = methodOf(c);
      const embeddings = jobs.trainEmbeddingsStatus(run);
      const explained = await explainer.explain(run, image, queryInt(c, 'class', { min: 0, max: lastClass(run) }) ?? null, method, embeddings.state === 'ready');
      const { probabilities, attribution, embedding } = explained;
      const predicted = probabilities.indexOf(Math.max(...probabilities));
      let neighbours: Awaited<ReturnType<typeof nearestVectors>> | null | string = null;
      if (embeddings.state === 'ready') {
        neighbours = embedding instanceof Float32Array ? nearestVectors(embeddings.value.vectors, embeddings.value.dimensions, embedding, NEIGHBOURS) : embedding;
      } else if (embeddings.state === 'failed' || embeddings.state === 'unavailable') {
        neighbours = embeddings.state === 'failed' ? embeddings.error : embeddings.reason;
      } else {
        jobs.trainEmbeddings(run).catch(() => {}); // a failure shows on the next poll
      }
      const label = images.labels[index]!;
      return c.html(<WhyPanel view={{ runId: run.id, dataset: run.dataset, classNames: datasets.classNames(run.dataset), index, label, predicted, method, attribution, neighbours }} trainImages={trainOf(run)} />);
    })
    .get(`/runs/${RUN_ID}/calibration`, (c) => {
      const run = getRun(db, runIdOf(c));
      const images = testOf(run);
      // The weak clusters come from the run's slice discovery, computed in a thread (in the background once the run completed).
      const clusters = isCrossSite(c) ? analyses.slicesStatus(run.id) : analyses.startSlices(run.id);
      const report = runCalibration(db, run, images.dataset, clusters.state === 'ready' ? clusters.value : []);
      if (!report) return c.html(<section id="calibration" class="card"><p class="muted">No calibration: run {run.id} has no test predictions.</p></section>);
      const pending = clusters.state === 'computing' || clusters.state === 'absent' ? `being found (${clusters.state === 'computing' ? clusters.stage : 'starting'})` : undefined;
      return c.html(<CalibrationView report={report} images={images} clustersPending={pending} />);
    })
    .get(`/runs/${RUN_ID}/robustness`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(<RobustnessView runId={run.id} status={jobs.robustnessStatus(run)} images={testOf(run)} />);
    })
    .post(`/runs/${RUN_ID}/robustness`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(<RobustnessView runId={run.id} status={jobs.startRobustness(run)} images={testOf(run)} />);
    });
}
