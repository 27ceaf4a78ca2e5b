import type { ChartView } from '../chart-view.ts';

/**
 * The curves' view as a plain GET form, so the URL holds it (shared links, Back) and no script
 * is needed: a log-scale loss axis and a range of epochs. `keep` carries the page's other query
 * parameters (the compared runs, say), which a GET form would otherwise drop.
 */
export function ChartControls({ view, keep = {}, epochs }: { view: ChartView; keep?: Record<string, string>; epochs: number }) {
  return (
    <form method="get" class="chart-controls" aria-label="How the curves are drawn">
      {Object.entries(keep).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <label>
        <input type="checkbox" name="log" value="1" checked={view.logY} /> log-scale loss
      </label>
      <label>
        epochs <input type="number" name="from-epoch" min="1" max={epochs} value={view.fromEpoch ?? ''} placeholder="1" aria-label="first epoch shown" />
      </label>
      <label>
        to <input type="number" name="to-epoch" min="1" max={epochs} value={view.toEpoch ?? ''} placeholder={String(epochs)} aria-label="last epoch shown" />
      </label>
      <button type="submit">Redraw</button>
      {view.logY || view.fromEpoch !== undefined || view.toEpoch !== undefined ? (
        <a href={`?${new URLSearchParams(keep)}`}>all epochs, linear</a>
      ) : (
        ''
      )}
    </form>
  );
}
