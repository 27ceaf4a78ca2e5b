import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Run } from '../store/store.ts';

/**
 * The HTML of parts of completed runs that nothing can change any more (their galleries: a run's
 * test predictions are final once it completes), rendered once and kept. The gallery of a run's
 * mistakes, 48 tiles of thumbnail and probability bars, was a third of its page's rendering, and
 * the page is what a person opens while runs train. Run ids are never reused (AUTOINCREMENT), so
 * the id names a run for good. Keeps the `max` parts asked for last.
 */
export class CompletedRunHtml {
  private readonly kept = new Map<string, JSX.Element>();

  constructor(private readonly max = 64) {}

  /** `part` of `run` as `render` draws it: kept while the run is completed, drawn afresh otherwise. */
  of(run: Run, part: string, render: () => JSX.Element): JSX.Element {
    if (run.status !== 'completed') return render();
    const key = `${run.id}:${part}`;
    // String() throws for a render with async components, which could not be kept this way.
    const html = this.kept.get(key) ?? raw(String(render()));
    // Map order is insertion order: moved to the end, the entry is the last to go.
    this.kept.delete(key);
    this.kept.set(key, html);
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
    return html;
  }
}
