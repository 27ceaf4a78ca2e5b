import { HTTPException } from 'hono/http-exception';
import { uploadFileName } from '../upload-file-name.ts';

const DATA_URL = /^data:image\/(?:png|jpeg);base64,([A-Za-z0-9+/=]+)$/;

/**
 * The picture a form sent: an uploaded file, else a canvas drawing (a data URL), else a picture
 * kept from an earlier reading (base64). Whether it really is a PNG or JPEG is preprocessing's call.
 */
export async function pictureFromForm(body: Record<string, string | File | (string | File)[]>): Promise<{ bytes: Uint8Array; name: string }> {
  const file = body.file;
  if (file instanceof File && file.size > 0) return { bytes: new Uint8Array(await file.arrayBuffer()), name: uploadFileName(file.name, 'upload') };
  const drawing = typeof body.drawing === 'string' ? DATA_URL.exec(body.drawing) : null;
  if (drawing) return { bytes: Buffer.from(drawing[1]!, 'base64'), name: 'drawing' };
  if (typeof body.picture === 'string' && body.picture) {
    return { bytes: Buffer.from(body.picture, 'base64'), name: uploadFileName(typeof body.name === 'string' ? body.name : '', 'picture') };
  }
  throw new HTTPException(400, { message: 'draw a digit or choose a PNG or JPEG file first' });
}

/** The label field of the keep form: one digit. */
export function labelFromForm(body: Record<string, unknown>): number {
  const raw = body.label;
  if (typeof raw !== 'string' || !/^[0-9]$/.test(raw)) throw new HTTPException(400, { message: 'the label must be one digit, 0 to 9' });
  return Number(raw);
}
