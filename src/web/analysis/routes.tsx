import { Hono, type Context } from 'hono';
import { pixelMapKey, runMapKey, type MapKey } from '../../analysis/maps/map-store.ts';
import { sevenSliceMetrics } from '../../analysis/slice-metrics.ts';
import { partitionSevens } from '../../analysis/slices.ts';
import { loadImportedModelFacts } from '../../store/imported-runs.ts';
import { getRun, loadTestPredictions } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { RUN_ID, runIdOf } from '../params.ts';
import { isCrossSite } from '../request-guard.ts';
import { DatasetFactsSection, DatasetLabelIssues, DatasetPage, DuplicatesSection, type DatasetView } from './dataset-page.tsx';
import { findDuplicatesInThread, type Duplicates } from '../../analysis/duplicates.ts';
import { JobBoard } from '../../analysis/job-board.ts';
import type { JobStatus } from '../../analysis/job-status.ts';
import type { SlicesStatus, TestLabelIssues } from '../../analysis/run-analyses/run-analyses.ts';
import { BUILT_IN_NAMES, findDataset } from '../../data/datasets/catalogue.ts';
import { listDatasets } from '../../store/datasets.ts';
import { samplePictures } from '../../data/datasets/image-folder.ts';
import type { Run } from '../../store/store.ts';
import { MapPanel, mapUrls } from './map-panel.tsx';
import { AnalysisSlot, DiscoveredSlicesPanel, SevenSlices, SevenSlicesAbsent } from './run-analysis.tsx';

/**
 * The dataset page, the run page's analysis fragment and the UMAP maps. Maps, discovered slices,
 * the dataset's facts and its label issues compute in threads (normally in the background, before
 * anyone asks); a fragment whose result is not ready polls for it.
 */
export function analysisRoutes(deps: WebDeps): Hono {
  const { db, images, maps, analyses } = deps;
  const testSplit = () => images.dataset;
  const crossedSevens = () => partitionSevens(testSplit()).crossed;
  /** The dataset a page asks for (?dataset=, MNIST by default); an unknown name is a 404. */
  const datasetOf = (c: Context) => findDataset(db, c.req.query('dataset')?.trim() || 'mnist').name;
  // Every dataset's duplicate search, kept once computed.
  const duplicates = new Map<string, Duplicates>();
  const duplicateJobs = new JobBoard();

  // A cross-site GET (a link or an <img> on another site) sees where a map stands but starts nothing.
  const panel = (c: Context, key: MapKey, dataset: string) => (
    <MapPanel {...mapUrls(key)} status={isCrossSite(c) ? maps.status(key) : maps.start(key)} classNames={deps.datasets.classNames(dataset)} />
  );
  /** A run's discovered slices, from the background analyses (a thread, normally done before anyone asks). */
  const slicesStatus = (c: Context, run: Run): SlicesStatus => (isCrossSite(c) ? analyses.slicesStatus(run.id) : analyses.startSlices(run.id));
  /** A map's points with their labels (and class names) from `dataset`; crossed sevens only on MNIST, where they mean something. */
  const points = (key: MapKey, predicted: Uint8Array | null, dataset: string) => {
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

  /**
   * A dataset's label issues, the first 50, if ranked; else the ranking is started (once per set of
   * completed runs, normally by the background analyses) and the section polls. A cross-site GET
   * sees where it stands but starts nothing.
   */
  const issuesOf = (c: Context, dataset: string): JobStatus<TestLabelIssues> => {
    if (!isCrossSite(c)) analyses.testLabelIssues(dataset).catch(() => {}); // a failure shows as the status
    const status = analyses.testLabelIssuesStatus(dataset);
    return status.state === 'ready' ? { ...status, value: { runs: status.value.runs, issues: status.value.issues.slice(0, 50) } } : status;
  };

  /**
   * A dataset's page facts, computed in a thread once (MNIST's by the background analyses, normally
   * before anyone asks); until then the section polls. A cross-site GET starts nothing.
   */
  const factsOf = (c: Context, dataset: string) => (isCrossSite(c) ? analyses.datasetFactsStatus(dataset) : analyses.startDatasetFacts(dataset));

  return new Hono()
    .get('/dataset', (c) => {
      const name = datasetOf(c);
      const dataset = findDataset(db, name);
      const samples = dataset.kind === 'images' ? samplePictures(dataset.path) : [];
      const view: DatasetView = { name, classNames: dataset.classNames, names: [...BUILT_IN_NAMES, ...listDatasets(db).map((d) => d.name)], samples };
      return c.html(<DatasetPage view={view} facts={factsOf(c, name)} issues={issuesOf(c, name)} images={deps.datasets.test(name)} />);
    })
    .get('/dataset/facts', (c) => {
      const name = datasetOf(c);
      return c.html(<DatasetFactsSection dataset={name} classNames={deps.datasets.classNames(name)} status={factsOf(c, name)} images={deps.datasets.test(name)} />);
    })
    .get('/dataset/duplicates', (c) => {
      const name = datasetOf(c);
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
    .get('/dataset/label-issues', (c) => {
      const name = datasetOf(c);
      return c.html(<DatasetLabelIssues issues={issuesOf(c, name)} images={deps.datasets.test(name)} dataset={name} classNames={deps.datasets.classNames(name)} />);
    })
    .get(`/runs/${RUN_ID}/analysis`, (c) => {
      const run = getRun(db, runIdOf(c));
      if (run.status !== 'completed') return c.html(<AnalysisSlot run={run} />);
      const mnist = run.dataset === 'mnist';
      const runImages = deps.datasets.test(run.dataset);
      // The seven detector reads MNIST's sevens: another dataset's label 7 is something else.
      const report = mnist ? sevenSliceMetrics(db, run.id, testSplit()) : null;
      // An imported model without a penultimate layer (or a prediction file) has nothing to map.
      const noEmbedding = loadImportedModelFacts(db, run.id)?.embeddingAbsence;
      return c.html(
        <section id="analysis">
          {report ? <SevenSlices report={report} /> : mnist ? '' : <SevenSlicesAbsent dataset={run.dataset} />}
          {noEmbedding ? (
            <p class="muted">No discovered slices and no map of the model's embeddings: {noEmbedding}.</p>
          ) : (
            <>
              <DiscoveredSlicesPanel runId={run.id} status={slicesStatus(c, run)} images={runImages} classNames={deps.datasets.classNames(run.dataset)} />
              <h2>Map of the model's embeddings</h2>
              {panel(c, runMapKey(run.id), run.dataset)}
            </>
          )}
        </section>,
      );
    })
    .get(`/runs/${RUN_ID}/slices`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(<DiscoveredSlicesPanel runId={run.id} status={slicesStatus(c, run)} images={deps.datasets.test(run.dataset)} classNames={deps.datasets.classNames(run.dataset)} />);
    })
    .get(`/maps/run/${RUN_ID}`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(panel(c, runMapKey(run.id), run.dataset));
    })
    .get('/maps/run/:file{[0-9]{1,15}\\.json}', (c) => {
      const run = getRun(db, Number(c.req.param('file').replace('.json', '')));
      const runId = run.id;
      const body = points(runMapKey(runId), loadTestPredictions(db, runId)?.predicted ?? null, run.dataset);
      return body ? c.json(body) : c.json({ error: `the map of run ${runId} is not computed yet` }, 404);
    })
    .get('/maps/pixels', (c) => {
      const name = datasetOf(c);
      return c.html(panel(c, pixelMapKey(name), name));
    })
    .get('/maps/pixels.json', (c) => {
      const name = datasetOf(c);
      const body = points(pixelMapKey(name), null, name);
      return body ? c.json(body) : c.json({ error: `the pixel map of ${name} is not computed yet` }, 404);
    });
}
