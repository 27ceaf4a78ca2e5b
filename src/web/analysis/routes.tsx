import { Hono, type Context } from 'hono';
import { PIXEL_MAP_KEY, runMapKey, type MapKey } from '../../analysis/maps/map-store.ts';
import { sevenSliceMetrics } from '../../analysis/slice-metrics.ts';
import { partitionSevens } from '../../analysis/slices.ts';
import { loadImportedModel } from '../../store/imported-runs.ts';
import { getRun, loadTestPredictions } from '../../store/store.ts';
import type { WebDeps } from '../deps.ts';
import { RUN_ID, runIdOf } from '../params.ts';
import { isCrossSite } from '../request-guard.ts';
import { DatasetLabelIssues, DatasetPage } from './dataset-page.tsx';
import { MapPanel } from './map-panel.tsx';
import { AnalysisSlot, DiscoveredSlicesPanel, SevenSlices } from './run-analysis.tsx';

/**
 * The dataset page, the run page's analysis fragment and the UMAP maps. Maps, discovered slices,
 * the dataset's facts and its label issues compute in threads (normally in the background, before
 * anyone asks); a fragment whose result is not ready polls for it.
 */
export function analysisRoutes(deps: WebDeps): Hono {
  const { db, images, maps, analyses } = deps;
  const testSplit = () => images.dataset;
  const crossedSevens = () => partitionSevens(testSplit()).crossed;

  // A cross-site GET (a link or an <img> on another site) sees where a map stands but starts nothing.
  const panel = (c: Context, key: MapKey, url: string, imageHref: string) => (
    <MapPanel
      id={key.runId === null ? 'map-pixels' : `map-run-${key.runId}`}
      url={url}
      status={isCrossSite(c) ? maps.status(key) : maps.start(key)}
      imageHref={imageHref}
    />
  );
  const slicesStatus = (c: Context, runId: number) => (isCrossSite(c) ? analyses.slicesStatus(runId) : analyses.startSlices(runId));
  const points = (key: MapKey, predicted: Uint8Array | null) => {
    const status = maps.status(key);
    if (status.state !== 'ready') return null;
    return {
      points: Array.from(status.value.coordinates, (v) => Math.round(v * 1000) / 1000),
      labels: Array.from(images.labels.subarray(0, status.value.count)),
      predicted: predicted && Array.from(predicted),
      crossedSevens: crossedSevens().filter((i) => i < status.value.count),
    };
  };

  /** The ranking if ready; else it is started (once per set of completed runs) and the section polls. */
  const datasetIssues = () => {
    analyses.testLabelIssues().catch(() => {}); // a failure shows as the status
    const status = analyses.testLabelIssuesStatus();
    return status.state === 'ready' ? { ...status, value: { runs: status.value.runs, issues: status.value.issues.slice(0, 50) } } : status;
  };

  return new Hono()
    .get('/dataset', async (c) => {
      // Both computed in threads, in the background from the server's start: normally ready.
      const facts = await analyses.datasetFacts();
      return c.html(<DatasetPage facts={facts} issues={datasetIssues()} images={images} />);
    })
    .get('/dataset/label-issues', (c) => c.html(<DatasetLabelIssues issues={datasetIssues()} images={images} />))
    .get(`/runs/${RUN_ID}/analysis`, (c) => {
      const run = getRun(db, runIdOf(c));
      if (run.status !== 'completed') return c.html(<AnalysisSlot run={run} />);
      const report = sevenSliceMetrics(db, run.id, testSplit());
      // An imported model without a penultimate layer (or a prediction file) has nothing to map.
      const noEmbedding = loadImportedModel(db, run.id)?.embeddingAbsence;
      return c.html(
        <section id="analysis">
          {report ? <SevenSlices report={report} /> : ''}
          {noEmbedding ? (
            <p class="muted">No discovered slices and no map of the model's embeddings: {noEmbedding}.</p>
          ) : (
            <>
              <DiscoveredSlicesPanel runId={run.id} status={slicesStatus(c, run.id)} images={images} />
              <h2>Map of the model's embeddings</h2>
              {panel(c, runMapKey(run.id), `/maps/run/${run.id}`, `/images/test/{index}?run=${run.id}`)}
            </>
          )}
        </section>,
      );
    })
    .get(`/runs/${RUN_ID}/slices`, (c) => {
      const run = getRun(db, runIdOf(c));
      return c.html(<DiscoveredSlicesPanel runId={run.id} status={slicesStatus(c, run.id)} images={images} />);
    })
    .get(`/maps/run/${RUN_ID}`, (c) => {
      const runId = getRun(db, runIdOf(c)).id;
      return c.html(panel(c, runMapKey(runId), `/maps/run/${runId}`, `/images/test/{index}?run=${runId}`));
    })
    .get('/maps/run/:file{[0-9]{1,15}\\.json}', (c) => {
      const runId = getRun(db, Number(c.req.param('file').replace('.json', ''))).id;
      const body = points(runMapKey(runId), loadTestPredictions(db, runId)?.predicted ?? null);
      return body ? c.json(body) : c.json({ error: `the map of run ${runId} is not computed yet` }, 404);
    })
    .get('/maps/pixels', (c) => c.html(panel(c, PIXEL_MAP_KEY, '/maps/pixels', '/images/test/{index}')))
    .get('/maps/pixels.json', (c) => {
      const body = points(PIXEL_MAP_KEY, null);
      return body ? c.json(body) : c.json({ error: 'the pixel map is not computed yet' }, 404);
    });
}
