import { Hono } from 'hono';
import { ImportError } from '../../models/imported/classifier.ts';
import type { WebDeps } from '../deps.ts';
import { withUploadedForm } from '../uploads-to-disk.ts';
import { filtersFrom } from '../run-filters.ts';
import { runsPage } from '../routes/runs.tsx';
import { ImportFailure } from './components.tsx';
import { importFormValues, importUpload, MAX_UPLOAD_BYTES } from './upload.ts';

/**
 * Importing from the runs page. Models and prediction files run to tens of MB: the body goes to disk
 * as it arrives, within its own limit (the app mounts this before its 64 kB one), and a thread parses it.
 */
export function importRoutes({ db, runs, images, collapses }: Pick<WebDeps, 'db' | 'runs' | 'images' | 'collapses'>): Hono {
  // Room beside the files for the form's other fields and the multipart framing.
  const limits = { maxBytes: MAX_UPLOAD_BYTES + 64 * 1024, tooLarge: `an import is at most ${MAX_UPLOAD_BYTES / 1048576} MB` };
  return new Hono().post('/runs/import', (c) =>
    withUploadedForm(c.req.raw, limits, async (form, dir) => {
      const htmx = Boolean(c.req.header('HX-Request'));
      try {
        const run = await importUpload({ db, runs }, form, dir);
        if (!htmx) return c.redirect(`/runs/${run.id}`, 303);
        c.header('HX-Redirect', `/runs/${run.id}`);
        return c.body(null, 200);
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        // 422: htmx swaps the message in beside the form, which keeps the chosen file.
        if (htmx) return c.html(<ImportFailure message={err.message} />, 422);
        return c.html(runsPage({ db, images, collapses }, filtersFrom(c), { imported: { values: importFormValues(form), error: err.message } }), 422);
      }
    }),
  );
}
