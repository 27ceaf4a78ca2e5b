import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { analysisRoutes } from './analysis/routes.tsx';
import { compareRoutes } from './compare/routes.tsx';
import { sweepRoutes } from './compare/sweep-routes.tsx';
import type { WebDeps } from './deps.ts';
import { handleError, handleNotFound } from './errors.tsx';
import { labelAuditRoutes } from './label-audit/routes.tsx';
import { ownDigitsRoutes } from './own-digits/routes.tsx';
import { apiRoutes } from './routes/api.ts';
import { imageRoutes } from './routes/images.tsx';
import { runRoutes } from './routes/run.tsx';
import { runsRoutes } from './routes/runs.tsx';
import { staticRoutes } from './static.ts';
import { TestImages } from './test-images.ts';

/**
 * The web workbench as a Hono app, built per call so tests get their own and never open a port.
 * `images` defaults to the MNIST test set, read on first use.
 */
export function createApp(deps: Omit<WebDeps, 'images'> & { images?: TestImages }): Hono {
  const full: WebDeps = { ...deps, images: deps.images ?? new TestImages() };
  const app = new Hono();
  app.onError(handleError);
  app.notFound(handleNotFound);
  // The server is for the person at this machine: forms from other sites must not launch runs.
  app.use(csrf());
  // Photos of digits run to megabytes: those routes set their own limit, so they come before the general one.
  app.route('/', ownDigitsRoutes(full));
  app.use(bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new HTTPException(413, { message: 'the request body is over 64 kB' }); } }));
  for (const routes of [staticRoutes(), apiRoutes(full), runsRoutes(full), runRoutes(full), imageRoutes(full), compareRoutes(full), sweepRoutes(full), analysisRoutes(full), labelAuditRoutes(full)]) app.route('/', routes);
  return app;
}
