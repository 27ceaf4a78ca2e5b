import { raw } from 'hono/html';
import type { MapStatus } from '../../analysis/maps/map-jobs.ts';
import type { MapKey } from '../../analysis/maps/map-store.ts';
import { datasetQuery } from '../format.ts';
import { LABEL_COLOURS, SLICE_COLOURS } from './scatter-script.ts';

const SLICE_LEGEND = [
  [SLICE_COLOURS.crossed, 'crossed seven'],
  [SLICE_COLOURS.plain, 'plain seven'],
  [SLICE_COLOURS.other, 'other digits'],
] as const;

const STYLE = `
.umap-stage { position: relative; display: inline-block; }
.umap-stage canvas { border: 1px solid var(--line, #ddd); border-radius: 6px; background: #fff; max-width: 100%; }
.umap-tip { position: absolute; pointer-events: none; background: #fff; border: 1px solid #999; border-radius: 4px; padding: 4px; display: flex; gap: 6px; align-items: center; font-size: 0.8rem; box-shadow: 0 2px 6px rgba(0,0,0,.15); max-width: 100%; box-sizing: border-box; }
.umap-tip img { image-rendering: pixelated; flex: none; }
.umap-tip[hidden] { display: none; }
`;

interface MapUrls {
  id: string;
  /** Serves this fragment. */
  url: string;
  /** Serves the map's points as JSON. */
  pointsUrl: string;
  /** An image's page, `{index}` standing for its index. */
  imageHref: string;
}

/** Where a map's fragment, points and images are: a run's images are shown with its predictions, a pixel map's are its dataset's. */
export function mapUrls(key: MapKey): MapUrls {
  if (key.source === 'embeddings') {
    return { id: `map-run-${key.runId}`, url: `/maps/run/${key.runId}`, pointsUrl: `/maps/run/${key.runId}.json`, imageHref: `/images/test/{index}?run=${key.runId}` };
  }
  const query = datasetQuery(key.dataset, '?');
  return { id: 'map-pixels', url: `/maps/pixels${query}`, pointsUrl: `/maps/pixels.json${query}`, imageHref: `/images/test/{index}${query}` };
}

/**
 * A UMAP map as one self-replacing fragment: while it computes, a progress bar that polls itself
 * every second; once stored, the scatter.
 */
export function MapPanel({ id, url, pointsUrl, status, imageHref, classNames }: MapUrls & { status: MapStatus; /** The map's dataset's classes; other than MNIST's digits, no seven slice is offered. */ classNames?: string[] }) {
  const sevens = !classNames || classNames.join(',') === '0,1,2,3,4,5,6,7,8,9';
  if (status.state === 'ready') {
    // Only a run's map knows the model's predictions; the pixel map has no mistakes to ring.
    const ringed = status.value.key.runId !== null;
    return (
      <section id={id} class="umap-panel">
        <style>{raw(STYLE)}</style>
        <div class="umap-scatter" data-src={pointsUrl} data-href={imageHref}>
          <p>
            <label>
              Colour by{' '}
              <select name="colour">
                <option value="label">true label</option>
                {sevens ? <option value="slice">seven slice: crossed (red), plain (blue)</option> : ''}
              </select>
            </label>{' '}
            <span class="muted">
              {status.value.count.toLocaleString('en')} points, seed {status.value.seed}, computed in {status.value.seconds.toFixed(1)} s.
              {ringed ? ' Ringed: misclassified.' : ''} Hover for the image, click to open it.
            </span>
          </p>
          <p class="umap-legend" data-colour="label">
            {(classNames ?? LABEL_COLOURS.map((_, label) => String(label))).map((name, label) => (
              <span style={`color: ${LABEL_COLOURS[label % LABEL_COLOURS.length]}; margin-right: 0.6rem`}>■ {name}</span>
            ))}
          </p>
          {sevens ? (
            <p class="umap-legend" data-colour="slice" hidden>
              {SLICE_LEGEND.map(([colour, name]) => (
                <span style={`color: ${colour}; margin-right: 0.6rem`}>■ {name}</span>
              ))}
            </p>
          ) : (
            ''
          )}
          <div class="umap-stage">
            <canvas
              width="640"
              height="640"
              role="img"
              aria-label={`Map of ${status.value.count.toLocaleString('en')} test images, placed by UMAP, coloured as chosen above${ringed ? ', misclassified ones ringed' : ''}`}
            ></canvas>
            <div class="umap-tip" hidden>
              <img width="56" height="56" alt="" />
              <span></span>
            </div>
          </div>
        </div>
        <script src="/static/scatter.js"></script>
      </section>
    );
  }
  if (status.state === 'computing' || status.state === 'absent') {
    const fraction = status.state === 'computing' ? status.fraction : 0;
    const stage = status.state === 'computing' ? status.stage : 'starting';
    return (
      <section id={id} class="umap-panel" hx-get={url} hx-trigger="load delay:1s" hx-swap="outerHTML">
        <div class="progress">
          <div class="bar">
            <div class="fill" style={`width: ${Math.round(100 * fraction)}%`}></div>
          </div>
        </div>
        <p class="progress-text muted">
          Computing the map: {stage} ({Math.round(100 * fraction)}%). It takes up to half a minute and is kept once done.
        </p>
      </section>
    );
  }
  if (status.state === 'failed') {
    return (
      <section id={id} class="umap-panel">
        <p class="error">The map failed: {status.error}</p>
        <button type="button" hx-get={url} hx-target={`#${id}`} hx-swap="outerHTML">
          Try again
        </button>
      </section>
    );
  }
  return (
    <section id={id} class="umap-panel">
      <p class="muted">{status.reason}</p>
    </section>
  );
}
