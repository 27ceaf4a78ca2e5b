import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Run } from '../store/store.ts';

/**
 * Values of completed runs that nothing can change any more (a run's test predictions are final
 * once it completes), computed once per app and kept: the HTML of a run's galleries (48 tiles of
 * thumbnail and probability bars, a third of its page's rendering) and of a compared pair's fixed
 * and broken images, and the runs list's degenerate-model flags (a query per row). Run ids are
 * never reused (AUTOINCREMENT), so an id names a run for good. Keeps the `max` values asked for last.
 */
export class CompletedRunMemo<T> {
  private readonly kept = new Map<string, T>();

  constructor(private readonly max: number) {}

  /** `part` of `run` as `compute` makes it: kept while the run is completed, made afresh otherwise. */
  of(run: Run, part: string, compute: () => T): T {
    if (run.status !== 'completed') return compute();
    const key = `${run.id}:${part}`;
    const value = this.kept.has(key) ? this.kept.get(key)! : compute();
    // Map order is insertion order: moved to the end, the entry is the last to go.
    this.kept.delete(key);
    this.kept.set(key, value);
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
    return value;
  }
}

/** What `render` draws, as finished HTML that can be kept and sent again. */
export function drawnHtml(render: () => JSX.Element): JSX.Element {
  // String() throws for a render with async components, which could not be kept as a string.
  return raw(String(render()));
}

/** `part` of `run` as `render` draws it, kept as HTML while the run is completed. */
export function keptHtml(memo: CompletedRunMemo<JSX.Element>, run: Run, part: string, render: () => JSX.Element): JSX.Element {
  return memo.of(run, part, () => drawnHtml(render));
}
