import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';

/** The names a browser on this machine uses for a loopback server. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Where the server listens, which decides the Host names it answers. */
export interface Listening {
  /** The TCP port; unknown (any port) for an app that is only given requests, as in tests. */
  port?: number;
  /** More names it answers: the --host address, or for 0.0.0.0 this machine's names and addresses. */
  names?: string[];
}

/** Remote workers authenticate with their own bearer tokens and are no browser: the browser rules skip them. */
const isWorkerApi = (path: string) => path.startsWith('/api/workers/');
/** Tracking requests carry a worker token of their own (see web/tracking/routes.ts), not the browser's access token. */
const isTrackingApi = (path: string) => path.startsWith('/api/tracking/');

const urlHost = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** `name` or `name:port` for every name this server may be reached by. */
export function allowedHosts({ port, names: extra = [] }: Listening): (header: string) => boolean {
  const names = new Set([...LOOPBACK_NAMES, ...extra.map((name) => urlHost(name).toLowerCase())]);
  return (header) => {
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
    if (!match || !names.has(match[1]!.toLowerCase())) return false;
    if (port === undefined) return true;
    return Number(match[2] ?? 80) === port;
  };
}

/**
 * DNS rebinding points a hostile name at 127.0.0.1; the browser then calls this server "same
 * origin" with that name in Host. Answering only the names it was started for closes that door,
 * and makes the Origin comparisons below meaningful.
 */
export function hostGuard(listening: Listening): MiddlewareHandler {
  const allowed = allowedHosts(listening);
  return async (c, next) => {
    const host = c.req.header('Host') ?? new URL(c.req.url).host;
    if (!allowed(host)) throw new HTTPException(421, { message: `this server does not answer for the host name '${host}'` });
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
const JSON_TYPES = ['application/json'];

/** The content types a state-changing route is built for: JSON under /api, forms everywhere else. */
export const acceptedTypes = (path: string) =>
  isTrackingApi(path) && path.endsWith('/model') ? ['application/octet-stream'] : path.startsWith('/api/') ? JSON_TYPES : FORM_TYPES;

/** A request a page on another site made the browser send (the header is absent outside browsers). */
export function isCrossSite(c: Context): boolean {
  const site = c.req.header('Sec-Fetch-Site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/**
 * A state-changing request must come from this origin (or from no browser at all) and carry a
 * body of the kind its route reads: hono/csrf looks only at form bodies, so a JSON body used to
 * walk past it.
 */
export function sameOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isWorkerApi(c.req.path)) return next();
    if (isCrossSite(c)) throw new HTTPException(403, { message: 'requests from other sites may not change anything here' });
    const origin = c.req.header('Origin');
    const host = c.req.header('Host') ?? new URL(c.req.url).host;
    if (origin !== undefined && origin !== `${new URL(c.req.url).protocol}//${host}`) {
      throw new HTTPException(403, { message: `requests from ${origin} may not change anything here` });
    }
    const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody = Number(c.req.header('Content-Length') ?? 0) > 0 || c.req.header('Transfer-Encoding') !== undefined;
    const accepted = acceptedTypes(c.req.path);
    if ((type !== '' || hasBody) && !accepted.includes(type)) {
      throw new HTTPException(415, { message: `${c.req.path} takes ${accepted.join(' or ')}, not '${type || 'an untyped body'}'` });
    }
    await next();
  };
}

/** A secret for --allow-remote: the server prints it once and keeps only its hash. */
export function newAccessToken(): { token: string; hash: Buffer } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: tokenHash(token) };
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest();
const COOKIE = 'digitlab_token';

/**
 * With --allow-remote every request needs the token: as `Authorization: Bearer T`, the cookie
 * set when a browser first opens `/?token=T`, or that query itself.
 */
export function accessTokenGuard(hash: Buffer): MiddlewareHandler {
  const matches = (candidate: string | undefined) => candidate !== undefined && timingSafeEqual(tokenHash(candidate), hash);
  return async (c, next) => {
    if (isWorkerApi(c.req.path) || isTrackingApi(c.req.path)) return next();
    const bearer = /^Bearer (\S+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
    if (matches(bearer) || matches(getCookie(c, COOKIE))) return next();
    const query = c.req.query('token');
    if (matches(query)) {
      setCookie(c, COOKIE, query!, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    throw new HTTPException(401, { message: 'this server needs the access token it printed when it started (open the URL it printed)' });
  };
}
