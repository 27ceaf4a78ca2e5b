import { METHOD_NAMES, type ExplainMethod } from '../../analysis/explain/explain.ts';
import { AGAINST_COLOUR, FOR_COLOUR } from '../../analysis/explain/attribution-png.ts';

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
/** The PNG's colours, handed to app.css: one definition serves the maps and their legend. */
const LEGEND_COLOURS = `--attr-for: ${rgb(FOR_COLOUR)}; --attr-against: ${rgb(AGAINST_COLOUR)}`;

/** What red and blue mean, and what full colour stands for. */
/** `target`: the name of the class the map is for. */
export function AttributionLegend({ method, target, scale, note }: { method: ExplainMethod; target?: string; scale?: number; note?: string }) {
  const what = target ?? 'the class';
  return (
    <p class="attribution-legend" style={LEGEND_COLOURS}>
      <span class="against">■ against {what}</span>
      <span class="scale" aria-hidden="true"></span>
      <span class="for">■ for {what}</span>
      <span class="muted">
        {METHOD_NAMES[method]}
        {scale === undefined ? '' : `; full colour = ${scale.toPrecision(2)} of probability`}
        {note === undefined ? '' : `; ${note}`}
      </span>
    </p>
  );
}

/** An image with a transparent map laid over it, both scaled up without smoothing. */
export function AttributionOverlay({ base, overlay, size, alt }: { base: string; overlay: string; size: number; alt: string }) {
  return (
    <span class="attribution">
      <img src={base} width={String(size)} height={String(size)} alt={alt} />
      <img class="overlay" src={overlay} alt="" loading="lazy" />
    </span>
  );
}

/** The URL of a run's map of one MNIST image, as a transparent PNG to lay over the image. */
export const overlayUrl = (runId: number, split: 'test' | 'train', index: number, method: ExplainMethod = 'ig', target?: number) =>
  `/runs/${runId}/explain/${split}/${index}.png?method=${method}${target === undefined ? '' : `&class=${target}`}`;

/**
 * A toggle that lays each tile's attribution map (for its predicted class) over it: maps load
 * only when asked, since each costs a model pass. Tiles under `target` carry `data-overlay` with
 * the map's URL; /static/overlay-toggle.js does the rest.
 */
export function OverlayToggle({ target }: { target: string }) {
  return (
    <p class="overlay-toggle">
      <label>
        <input type="checkbox" class="attribution-toggle" data-target={target} /> show why: each tile's integrated-gradients map (red for the
        predicted class, blue against)
      </label>
    </p>
  );
}
