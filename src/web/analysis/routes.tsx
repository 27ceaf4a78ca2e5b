import { Hono, type Context } from 'hono';
import { datasetFacts, type DatasetFacts } from '../../analysis/dataset-facts.ts';
import { storedLabelIssuesInThread } from '../../analysis/label-issues/ranking-in-thread.ts';
import { MapJobs } from '../../analysis/maps/map-jobs.ts';
import { PIXEL_MAP_KEY, runMapKey, type MapKey } from '../../analysis/maps/map-store.ts';
import { discoverRunSlices } from '../../analysis/slice-discovery.ts';
import { sevenSliceMetrics } from '../../analysis/slice-metrics.ts';
import { partitionSevens } from '../../analysis/slices.ts';
import { loadMnist, type MnistSplit } from '../../data/mnist.ts';
import { loadImportedModel } from '../../store/imported-runs.ts';
import { getRun, loadTestPredictions } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { RUN_ID, runIdOf } from '../params.ts';
import { isCrossSite } from '../request-guard.ts';
import { DatasetPage, DuplicatesSection, type DatasetView } from './dataset-page.tsx';
import { findDuplicatesInThread, type Duplicates } from '../../analysis/duplicates.ts';
import { JobBoard } from '../../analysis/job-board.ts';
import type { JobStatus } from '../../analysis/job-status.ts';
import { BUILT_IN_NAMES, findDataset } from '../../data/datasets/catalogue.ts';
import { listDatasets } from '../../store/datasets.ts';
import { samplePictures } from '../../data/datasets/image-folder.ts';

/** Test images shown per class on the dataset page. */
const EXAMPLES_PER_CLASS = 8;
import { MapPanel } from './map-panel.tsx';
import { AnalysisSlot, DiscoveredSlices, SevenSlices, SevenSlicesAbsent } from './run-analysis.tsx';

/**
 * The dataset page, the run page's analysis fragment and the UMAP maps. Maps compute in a thread
 * thread, one job per map for this app; the page polls a fragment for progress.
 */
export function analysisRoutes(deps: WebDeps & { maps?: MapJobs }): Hono {
  const { db, images } = deps;
  const maps = deps.maps ?? new MapJobs(db);
  // Read on first use and kept: the splits never change, and the facts take a second to compute.
  let test: MnistSplit | undefined;
  const facts = new Map<string, DatasetFacts>();
  const duplicates = new Map<string, Duplicates>();
  const duplicateJobs = new JobBoard();
  let crossedTest: number[] | undefined;
  const testSplit = () => (test ??= loadMnist('test'));
  const crossedSevens = () => (crossedTest ??= partitionSevens(testSplit()).crossed);

  // A cross-site GET (a link or an <img> on another site) sees where a map stands but starts nothing.
  const panel = (c: Context, key: MapKey, url: string, imageHref: string, dataset = 'mnist') => (
    <MapPanel
      id={key.runId === null ? 'map-pixels' : `map-run-${key.runId}`}
      url={url}
      status={isCrossSite(c) ? maps.status(key) : maps.start(key)}
      imageHref={imageHref}
      classNames={deps.datasets.classNames(dataset)}
    />
  );
  /** A map's points with their labels (and class names) from `dataset`; crossed sevens only on MNIST, where they mean something. */
  const points = (key: MapKey, predicted: Uint8Array | null, dataset = 'mnist') => {
    const status = maps.status(key);
    if (status.state !== 'ready') return null;
    const labels = deps.datasets.test(dataset).labels;
    return {
      points: Array.from(status.value.coordinates, (v) => Math.round(v * 1000) / 1000),
      labels: Array.from(labels.subarray(0, status.value.count)),
      dataset,
      classNames: deps.datasets.classNames(dataset),
      predicted: predicted && Array.from(predicted),
      crossedSevens: dataset === 'mnist' ? crossedSevens().filter((i) => i < status.value.count) : [],
    };
  };

  return new Hono()
    .get('/dataset', async (c) => {
      const name = findDataset(db, c.req.query('dataset')?.trim() || 'mnist').name;
      const classNames = deps.datasets.classNames(name);
      const [train, testImages] = [deps.datasets.train(name), deps.datasets.test(name)];
      let known = facts.get(name);
      if (!known) {
        known = datasetFacts(name === 'mnist' ? loadMnist('train') : train.dataset, name === 'mnist' ? testSplit() : testImages.dataset, { classes: classNames.length, sevens: name === 'mnist' });
        facts.set(name, known);
      }
      const examples = classNames.map(() => [] as number[]);
      for (let i = 0; i < testImages.count; i++) {
        const list = examples[testImages.labels[i]!];
        if (list && list.length < EXAMPLES_PER_CLASS) list.push(i);
      }
      const dataset = findDataset(db, name);
      const samples = dataset.kind === 'images' ? samplePictures(dataset.path) : [];
      const view: DatasetView = { name, classNames, names: [...BUILT_IN_NAMES, ...listDatasets(db).map((d) => d.name)], facts: known, examples, samples };
      const issues = await storedLabelIssuesInThread(db, testImages.labels, 50, name);
      return c.html(<DatasetPage view={view} issues={issues} images={testImages} />);
    })
    .get('/dataset/duplicates', (c) => {
      const name = findDataset(db, c.req.query('dataset')?.trim() || 'mnist').name;
      const [train, testImages] = [deps.datasets.train(name), deps.datasets.test(name)];
      const found = duplicates.get(name);
      let status: JobStatus<Duplicates>;
      if (found) status = { state: 'ready', value: found };
      else {
        // A cross-site GET sees where the search stands but starts nothing.
        if (!isCrossSite(c) && !duplicateJobs.status(name)) {
          void duplicateJobs
            .run(name, async (report) => {
              report(0, 'comparing pixels');
              const value = await findDuplicatesInThread(train.dataset, testImages.dataset);
              duplicates.set(name, value);
              return value;
            })
            .catch(() => undefined); // kept as the job's failure, shown by the next poll
        }
        status = duplicateJobs.status(name) ?? { state: 'absent' };
      }
      return c.html(<DuplicatesSection dataset={name} status={status} train={train} test={testImages} />);
    })
    .get(`/runs/${RUN_ID}/analysis`, (c) => {
      const run = getRun(db, runIdOf(c));
      if (run.status !== 'completed') return c.html(<AnalysisSlot run={run} />);
      const mnist = run.dataset === 'mnist';
      const runImages = deps.datasets.test(run.dataset);
      // The seven detector reads MNIST's sevens: another dataset's label 7 is something else.
      const report = mnist ? sevenSliceMetrics(db, run.id, testSplit()) : null;
      const slices = discoverRunSlices(db, run.id, runImages.labels) ?? [];
      // An imported model without a penultimate layer (or a prediction file) has nothing to map.
      const noEmbedding = loadImportedModel(db, run.id)?.embeddingAbsence;
      return c.html(
        <section id="analysis">
          {report ? <SevenSlices report={report} /> : mnist ? '' : <SevenSlicesAbsent dataset={run.dataset} />}
          {noEmbedding ? (
            <p class="muted">No discovered slices and no map of the model's embeddings: {noEmbedding}.</p>
          ) : (
            <>
              <DiscoveredSlices slices={slices} runId={run.id} images={runImages} classNames={deps.datasets.classNames(run.dataset)} />
              <h2>Map of the model's embeddings</h2>
              {panel(c, runMapKey(run.id), `/maps/run/${run.id}`, `/images/test/{index}?run=${run.id}`, run.dataset)}
            </>
          )}
        </section>,
      );
    })
    .get(`/maps/run/${RUN_ID}`, (c) => {
      const run = getRun(db, runIdOf(c));
      const runId = run.id;
      return c.html(panel(c, runMapKey(runId), `/maps/run/${runId}`, `/images/test/{index}?run=${runId}`, run.dataset));
    })
    .get('/maps/run/:file{[0-9]{1,15}\\.json}', (c) => {
      const run = getRun(db, Number(c.req.param('file').replace('.json', '')));
      const runId = run.id;
      const body = points(runMapKey(runId), loadTestPredictions(db, runId)?.predicted ?? null, run.dataset);
      return body ? c.json(body) : c.json({ error: `the map of run ${runId} is not computed yet` }, 404);
    })
    .get('/maps/pixels', (c) => c.html(panel(c, PIXEL_MAP_KEY, '/maps/pixels', '/images/test/{index}')))
    .get('/maps/pixels.json', (c) => {
      const body = points(PIXEL_MAP_KEY, null);
      return body ? c.json(body) : c.json({ error: 'the pixel map is not computed yet' }, 404);
    });
}
