import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** Far deeper than any body here nests (a layers spec is about 5 levels), far shallower than the stack allows. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply the JSON text nests, counted without parsing it. A body 30,000 arrays deep parses,
 * but any recursive walk over it (checking a spec, copying it) then overflows the stack: a 500.
 * Stops counting once past `limit`.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length && deepest <= limit; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ']' || char === '}') depth--;
  }
  return deepest;
}

/**
 * The request's JSON object, for every route that reads JSON: a body that is not JSON, nests
 * deeper than MAX_JSON_DEPTH or is not an object is the client's mistake, a 400 saying which.
 */
export async function jsonObject(c: Context, expected = 'the body must be a JSON object'): Promise<Record<string, unknown>> {
  return parseJsonObject(await c.req.text(), expected);
}

/** jsonObject's checks on a body's text: for a body large enough to be parsed in a thread (tracked predictions). */
export function parseJsonObject(text: string, expected = 'the body must be a JSON object'): Record<string, unknown> {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new HTTPException(400, { message: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects, the limit here` });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: `the body is not valid JSON; ${expected}` });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HTTPException(400, { message: expected });
  return body as Record<string, unknown>;
}
