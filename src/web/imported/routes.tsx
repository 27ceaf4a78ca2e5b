import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ImportError } from '../../models/imported/classifier.ts';
import type { WebDeps } from '../deps.ts';
import { formBody } from '../params.ts';
import { filtersFrom } from '../run-filters.ts';
import { runsPage } from '../routes/runs.tsx';
import { ImportFailure } from './components.tsx';
import { importFormValues, importUpload, MAX_UPLOAD_BYTES } from './upload.ts';

/** Importing from the runs page. Models run to megabytes, so the app mounts this before its 64 kB limit. */
export function importRoutes({ db, runs, images }: Pick<WebDeps, 'db' | 'runs' | 'images'>): Hono {
  const limit = bodyLimit({
    maxSize: MAX_UPLOAD_BYTES + 64 * 1024,
    onError: () => {
      throw new HTTPException(413, { message: `an import is at most ${MAX_UPLOAD_BYTES / 1048576} MB` });
    },
  });
  return new Hono().post('/runs/import', limit, async (c) => {
    const body = await formBody(c, { all: true });
    const htmx = Boolean(c.req.header('HX-Request'));
    try {
      const run = await importUpload(runs, body);
      if (!htmx) return c.redirect(`/runs/${run.id}`, 303);
      c.header('HX-Redirect', `/runs/${run.id}`);
      return c.body(null, 200);
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      // 422: htmx swaps the message in beside the form, which keeps the chosen file.
      if (htmx) return c.html(<ImportFailure message={err.message} />, 422);
      return c.html(runsPage({ db, images }, filtersFrom(c), { imported: { values: importFormValues(body), error: err.message } }), 422);
    }
  });
}
