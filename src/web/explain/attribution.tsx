import { raw } from 'hono/html';
import { METHOD_NAMES, type ExplainMethod } from '../../analysis/explain/explain.ts';
import { AGAINST_COLOUR, FOR_COLOUR } from '../../analysis/explain/attribution-png.ts';

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;

export const ATTRIBUTION_STYLE = `
.attribution { position: relative; display: inline-block; line-height: 0; }
.attribution img { image-rendering: pixelated; display: block; }
.attribution img.overlay { position: absolute; inset: 0; width: 100%; height: 100%; }
.attribution-legend { display: flex; align-items: center; gap: 0.4rem; font-size: 0.85rem; flex-wrap: wrap; margin: 0.3rem 0; }
.attribution-legend .scale { width: 120px; height: 10px; border-radius: 3px; background: linear-gradient(to right, ${rgb(AGAINST_COLOUR)}, rgba(255,255,255,0), ${rgb(FOR_COLOUR)}); border: 1px solid #ccc; }
.attribution-pair { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: flex-start; }
.attribution-pair figure { margin: 0; font-size: 0.8rem; text-align: center; }
.attr-toggle-on .tile .overlay, .attr-toggle-on .attr-tile .overlay { display: block; }
.tile .overlay { display: none; }
`;

/** What red and blue mean, and what full colour stands for. */
export function AttributionLegend({ method, target, scale }: { method: ExplainMethod; target: number; scale?: number }) {
  return (
    <p class="attribution-legend">
      <span style={`color:${rgb(AGAINST_COLOUR)}`}>■ against {target}</span>
      <span class="scale" aria-hidden="true"></span>
      <span style={`color:${rgb(FOR_COLOUR)}`}>■ for {target}</span>
      <span class="muted">
        {METHOD_NAMES[method]}
        {scale === undefined ? '' : `; full colour = ${scale.toPrecision(2)} of probability`}
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
 * only when asked, since each costs a model pass. Tiles carry `data-overlay` with the map's URL.
 */
export function OverlayToggle({ target }: { target: string }) {
  const script = `(() => {
  const box = document.currentScript.previousElementSibling.querySelector('input');
  box.addEventListener('change', () => {
    const area = document.querySelector(${JSON.stringify(target)});
    if (!area) return;
    area.classList.toggle('attr-toggle-on', box.checked);
    if (box.checked) area.querySelectorAll('[data-overlay]').forEach((tile) => {
      if (tile.querySelector('img.overlay')) return;
      const img = document.createElement('img');
      img.className = 'overlay';
      img.alt = '';
      img.src = tile.dataset.overlay;
      tile.appendChild(img);
    });
  });
})();`;
  return (
    <>
      <label class="overlay-toggle">
        <input type="checkbox" /> show why (integrated-gradients map: red for the predicted class, blue against)
      </label>
      <script>{raw(script)}</script>
    </>
  );
}
