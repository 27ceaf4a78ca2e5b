import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { attribute, EXPLAIN_METHODS, GradientsUnavailableError, type ExplainMethod } from '../../analysis/explain/explain.ts';
import { attributionPng } from '../../analysis/explain/attribution-png.ts';
import { NeighboursUnavailableError, nearestTrainImages } from '../../analysis/explain/train-neighbours.ts';
import { RunHasNoModelError } from '../../models/run-model.ts';
import { getRun, type Run } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { queryInt, RUN_ID, runIdOf } from '../params.ts';
import type { TestImages } from '../test-images.ts';
import { RunModels } from './run-models.ts';
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
export function explainRoutes({ db, datasets, jobs }: WebDeps): Hono {
  const models = new RunModels(db);
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
      const method = methodOf(c);
      const model = await models.of(run);
      const probabilities = await model.probabilities(image, 1);
      const target = queryInt(c, 'class', { min: 0, max: lastClass(run) }) ?? probabilities.indexOf(Math.max(...probabilities));
      const { map } = await attribute(model, image, target, method);
      c.header('Content-Type', 'image/png');
      return c.body(new Uint8Array(attributionPng(map, null)));
    })
    .get(`/runs/${RUN_ID}/why/test/:index{[0-9]{1,5}}`, async (c) => {
      const run = getRun(db, runIdOf(c));
      const index = Number(c.req.param('index'));
      const images = testOf(run);
      const image = imageOf(images, index, 'test');
      const method = methodOf(c);
      const model = await models.of(run);
      const probabilities = await model.probabilities(image, 1);
      const predicted = probabilities.indexOf(Math.max(...probabilities));
      const target = queryInt(c, 'class', { min: 0, max: lastClass(run) }) ?? predicted;
      let attribution;
      try {
        attribution = await attribute(model, image, target, method);
      } catch (err) {
        if (!(err instanceof GradientsUnavailableError)) throw err;
        attribution = { absent: err.message };
      }
      let neighbours: Awaited<ReturnType<typeof nearestTrainImages>> | null | string = null;
      const embeddings = jobs.trainEmbeddingsStatus(run);
      if (embeddings.state === 'ready') {
        try {
          neighbours = await nearestTrainImages(jobs, run, model, image, NEIGHBOURS);
        } catch (err) {
          if (!(err instanceof NeighboursUnavailableError)) throw err;
          neighbours = err.message;
        }
      } else if (embeddings.state === 'failed' || embeddings.state === 'unavailable') {
        neighbours = embeddings.state === 'failed' ? embeddings.error : embeddings.reason;
      } else {
        jobs.trainEmbeddings(run).catch(() => {}); // a failure shows on the next poll
      }
      const label = images.labels[index]!;
      return c.html(<WhyPanel view={{ runId: run.id, index, label, predicted, method, attribution, neighbours }} trainImages={trainOf(run)} />);
    })
    .get(`/runs/${RUN_ID}/calibration`, (c) => {
      const run = getRun(db, runIdOf(c));
      const report = runCalibration(db, run, testOf(run).dataset);
      if (!report) return c.html(<section id="calibration" class="card"><p class="muted">No calibration: run {run.id} has no test predictions.</p></section>);
      return c.html(<CalibrationView report={report} images={testOf(run)} />);
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
