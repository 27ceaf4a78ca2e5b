import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { ExplainThread } from '../analysis/explain/explain-in-thread.ts';
import { MapJobs } from '../analysis/maps/map-jobs.ts';
import { ModelJobs } from '../analysis/model-jobs/model-jobs.ts';
import { RunAnalyses } from '../analysis/run-analyses/run-analyses.ts';
import { loadMnist } from '../data/mnist.ts';
import { analysisRoutes } from './analysis/routes.tsx';
import { compareRoutes } from './compare/routes.tsx';
import { sweepRoutes } from './compare/sweep-routes.tsx';
import type { WebDeps } from './deps.ts';
import { CompletedRunMemo } from './completed-run-memo.ts';
import { handleError, handleNotFound } from './errors.tsx';
import { labelIssuesRoutes } from './label-issues/routes.tsx';
import { explainRoutes } from './explain/routes.tsx';
import { ownDigitsRoutes } from './own-digits/routes.tsx';
import { accessTokenGuard, hostGuard, sameOriginWrites, type Listening } from './request-guard.ts';
import { apiRoutes } from './routes/api.ts';
import { importRoutes } from './imported/routes.tsx';
import { imageRoutes } from './routes/images.tsx';
import { runRoutes } from './routes/run.tsx';
import { runsRoutes } from './routes/runs.tsx';
import { staticRoutes } from './static.ts';
import { DatasetImages, TestImages } from './test-images.ts';
import { trackingRoutes } from './tracking/routes.ts';
import { workerRoutes } from './workers/routes.ts';
import { leasePolicy, type LeasePolicy } from '../execution/workers/leases.ts';

/** Scripts and styles come from /static only, and no other site may frame a page. */
const SECURITY_HEADERS = secureHeaders({
  xFrameOptions: 'DENY',
  strictTransportSecurity: false,
  // no-referrer would make Chromium send `Origin: null` on this site's own form posts, which the CSRF checks refuse.
  referrerPolicy: 'same-origin',
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    // style attributes carry computed widths and colours (bars, heatmap cells); styles cannot run code.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
  },
});

/**
 * The general body limit, for the methods whose bodies routes read. A GET skips it: asking for a
 * request's body makes @hono/node-server build a whole fetch Request (about a quarter of a
 * millisecond), which every page and poll would otherwise pay for a body no GET route reads.
 */
function bodiesUpTo(maxSize: number): MiddlewareHandler {
  const limit = bodyLimit({ maxSize, onError: () => { throw new HTTPException(413, { message: `the request body is over ${maxSize / 1024} kB` }); } });
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}

/**
 * The web workbench as a Hono app, built per call so tests get their own and never open a port.
 * `images` defaults to the MNIST test set (`trainImages` to the training set), read on first use.
 * `listening` says which Host names it answers (loopback names on any port when not given);
 * `accessTokenHash` makes every request need the token (--allow-remote).
 */
export function createApp(
  deps: Omit<WebDeps, 'images' | 'trainImages' | 'jobs' | 'maps' | 'analyses' | 'explainer' | 'datasets' | 'galleries' | 'pairImages' | 'collapses'> &
    Partial<Pick<WebDeps, 'images' | 'trainImages' | 'datasets' | 'jobs' | 'maps' | 'analyses' | 'explainer' | 'galleries' | 'pairImages' | 'collapses'>> & { leases?: LeasePolicy; listening?: Listening; accessTokenHash?: Buffer },
): Hono {
  const images = deps.images ?? new TestImages();
  const trainImages = deps.trainImages ?? new TestImages(() => loadMnist('train'));
  const datasets = deps.datasets ?? new DatasetImages(deps.db, { test: images, train: trainImages });
  const full: WebDeps = {
    ...deps,
    images,
    trainImages,
    datasets,
    jobs: deps.jobs ?? new ModelJobs(deps.db),
    maps: deps.maps ?? new MapJobs(deps.db),
    analyses: deps.analyses ?? new RunAnalyses(deps.db, (dataset) => datasets.test(dataset).labels),
    explainer: deps.explainer ?? new ExplainThread(deps.db),
    galleries: deps.galleries ?? new CompletedRunMemo(64),
    pairImages: deps.pairImages ?? new CompletedRunMemo(64),
    collapses: deps.collapses ?? new CompletedRunMemo(100_000),
  };
  const app = new Hono();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use(SECURITY_HEADERS);
  app.use(hostGuard(deps.listening ?? {}));
  if (deps.accessTokenHash) app.use(accessTokenGuard(deps.accessTokenHash));
  // The server is for the person at this machine: requests from other sites must not launch runs.
  app.use(sameOriginWrites());
  app.use(csrf());
  // Workers authenticate with tokens and upload results in chunks larger than the general limit.
  app.route('/', workerRoutes(full, deps.leases ?? leasePolicy()));
  // Scripts trained elsewhere log through worker tokens too when the server needs them (--allow-remote).
  app.route('/', trackingRoutes(full, { tokenRequired: deps.accessTokenHash !== undefined }));
  // Photos of digits and imported models run to megabytes: those routes set their own limit, so they come before the general one.
  app.route('/', ownDigitsRoutes(full));
  app.route('/', importRoutes(full));
  app.use(bodiesUpTo(64 * 1024));
  for (const routes of [staticRoutes(), apiRoutes(full), runsRoutes(full), runRoutes(full), imageRoutes(full), explainRoutes(full), compareRoutes(full), sweepRoutes(full), analysisRoutes(full), labelIssuesRoutes(full)]) app.route('/', routes);
  return app;
}
