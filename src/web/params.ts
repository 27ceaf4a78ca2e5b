import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** Route patterns that only match ids, so anything else is a plain 404. */
export const RUN_ID = ':id{[0-9]{1,15}}';

export const runIdOf = (c: Context) => Number(c.req.param('id'));

/** An optional whole-number query parameter; a bad one is the client's mistake, a 400. */
export function queryInt(c: Context, name: string, range: { min: number; max: number }): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new HTTPException(400, { message: `${name} must be a whole number from ${range.min} to ${range.max}; got '${raw}'` });
  }
  return value;
}

/** An optional query parameter that must be one of `choices`. */
export function queryChoice<T extends string>(c: Context, name: string, choices: readonly T[]): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new HTTPException(400, { message: `${name} must be one of ${choices.join(', ')}; got '${raw}'` });
  }
  return raw as T;
}

/**
 * The request's form fields; a body that does not parse (cut-off multipart, say) is the client's
 * mistake, a 400. For small forms: an import's upload and an own-digits picture stream to disk instead (uploads-to-disk.ts).
 */
export async function formBody(c: Context): Promise<Record<string, string | File>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new HTTPException(400, { message: 'the form body could not be read: it is not well-formed multipart or urlencoded data' });
  }
}

/** A form field's text, or '' when it is missing or a file. */
export const formField = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? body[name] : '');
