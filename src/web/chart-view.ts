import type { Context } from 'hono';
import { queryChoice, queryInt } from './params.ts';

/**
 * How a page's curves are drawn, from its URL so that a view can be shared: a log-scale loss
 * axis, and a zoom to a range of epochs (either end may be open).
 */
export interface ChartView {
  logY: boolean;
  fromEpoch?: number;
  toEpoch?: number;
}

export function chartViewOf(c: Context): ChartView {
  const range = { min: 1, max: 100_000 };
  return {
    logY: queryChoice(c, 'log', ['1']) === '1',
    fromEpoch: queryInt(c, 'from-epoch', range),
    toEpoch: queryInt(c, 'to-epoch', range),
  };
}

/** The view's query parameters, to carry over into links and polls; empty for the default view. */
export function chartViewQuery(view: ChartView): string {
  const params = new URLSearchParams();
  if (view.logY) params.set('log', '1');
  if (view.fromEpoch !== undefined) params.set('from-epoch', String(view.fromEpoch));
  if (view.toEpoch !== undefined) params.set('to-epoch', String(view.toEpoch));
  return params.toString();
}

/**
 * The x range of an epoch chart under the view: epoch e is drawn at x = e, the per-batch curve
 * of epoch e from x = e - 1 to e, so a zoom starting at epoch e starts at e - 1 where a curve is.
 */
export function epochDomain(view: ChartView, planned: number, withCurve: boolean): [number, number] {
  const first = Math.min(view.fromEpoch ?? 1, planned);
  const last = Math.max(Math.min(view.toEpoch ?? planned, planned), first);
  return [first - (withCurve ? 1 : 0.5), last + 0.5];
}
