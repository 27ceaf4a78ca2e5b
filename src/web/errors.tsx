import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_KINDS, isKinded, UNEXPECTED } from '../core/errors.ts';
import { Layout } from './components/layout.tsx';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Access token needed',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported content type',
  421: 'Wrong host name',
  500: 'Something went wrong',
};

/**
 * The status and the words a person may see: a domain error's kind picks the status from the one
 * table; anything unexpected is logged and stays a 500, its words hidden.
 */
function describe(err: unknown, c: Context): { status: ContentfulStatusCode; message: string } {
  if (isKinded(err)) return { status: ERROR_KINDS[err.kind].status, message: err.message };
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return { status, message: err.message || (status === 403 ? 'cross-site form submissions are refused' : TITLES[status] ?? 'error') };
  }
  if (clientDisconnected(err)) {
    // Nothing failed here and no one is left to answer: one line says what happened.
    console.error(`a client disconnected before sending all of its ${c.req.method} ${c.req.path} request`);
    return { status: 400, message: 'the request ended early' };
  }
  console.error(err);
  return { status: UNEXPECTED.status, message: 'the server failed on this request; its log says why' };
}

/** Node's error for a request body cut off by the client closing its connection. */
const clientDisconnected = (err: unknown) => err instanceof Error && err.message === 'aborted' && (err as NodeJS.ErrnoException).code === 'ECONNRESET';

/**
 * JSON under /api and for `.json` URLs (scripts fetch those for data), a small fragment for htmx
 * (shown in #flash), else a page: never a stack trace.
 */
function respond(c: Context, status: ContentfulStatusCode, message: string) {
  if (c.req.path.startsWith('/api/') || c.req.path.endsWith('.json')) return c.json({ error: message }, status);
  const title = TITLES[status] ?? `Error ${status}`;
  if (c.req.header('HX-Request')) {
    c.header('HX-Retarget', '#flash');
    c.header('HX-Reswap', 'innerHTML');
    return c.html(
      <p class="flash-error">
        {title}: {message}
      </p>,
      status,
    );
  }
  return c.html(
    <Layout title={title}>
      <section class="error-page">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/runs">Back to the runs</a>
        </p>
      </section>
    </Layout>,
    status,
  );
}

export const handleError: ErrorHandler = (err, c) => {
  const { status, message } = describe(err, c);
  return respond(c, status, message);
};

export const handleNotFound: NotFoundHandler = (c) => respond(c, 404, `nothing at ${c.req.path}`);
