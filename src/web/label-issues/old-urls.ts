import { Hono, type Context } from 'hono';

/**
 * The label issues pages' addresses from before the feature had one name (label audit, label
 * review, label decisions), kept for bookmarks and scripts. A GET moves for good (301); a form
 * post from a page loaded before the rename keeps its method and body (308).
 */
const MOVED: [method: 'get' | 'post', from: string, to: string][] = [
  ['get', '/label-review', '/label-issues'],
  ['post', '/label-review/decide', '/label-issues/decide'],
  ['get', '/label-audit', '/label-issues/training-set'],
  ['post', '/label-audit', '/label-issues/training-set'],
  ['get', '/label-audit/:search{[0-9]{1,9}}/panel', '/label-issues/training-set/:search/panel'],
  ['get', '/api/label-decisions', '/api/label-issues/decisions'],
  ['get', '/label-decisions.csv', '/label-issues/decisions.csv'],
];

/** The new address of a request to an old one: its parameters filled in, its query kept. */
const movedTo = (c: Context, to: string) => to.replace(':search', c.req.param('search') ?? '') + new URL(c.req.url).search;

export function oldLabelIssuesUrls(): Hono {
  const app = new Hono();
  for (const [method, from, to] of MOVED) app[method](from, (c) => c.redirect(movedTo(c, to), method === 'get' ? 301 : 308));
  return app;
}
