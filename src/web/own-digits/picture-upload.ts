import { readFile } from 'node:fs/promises';
import { HTTPException } from 'hono/http-exception';
import { IMAGE_LIMITS } from '../../data/own-digits/decode.ts';
import type { ReceivedForm, UploadLimits } from '../uploads-to-disk.ts';
import { uploadFileName } from '../upload-file-name.ts';

const DATA_URL = /^data:image\/(?:png|jpeg);base64,([A-Za-z0-9+/=]+)$/;

/** A picture at the size limit as a data URL in base64 (the largest text field), plus the form's other fields. */
const MAX_BODY = Math.ceil(IMAGE_LIMITS.maxBytes * 1.4) + 64 * 1024;

/** The bounds of a picture form's body: a drawing is a text field as large as the picture it stands for. */
export const PICTURE_FORM_LIMITS: UploadLimits = {
  maxBytes: MAX_BODY,
  maxFieldBytes: MAX_BODY,
  tooLarge: `the picture is over ${IMAGE_LIMITS.maxBytes / 1048576} MB`,
};

/**
 * The picture a form sent: an uploaded file (read from where the body was written as it arrived),
 * else a canvas drawing (a data URL). Whether it really is a PNG or JPEG is preprocessing's call.
 */
export async function pictureFromForm({ fields, files }: ReceivedForm): Promise<{ bytes: Uint8Array; name: string }> {
  // A file input left empty still sends a part: no name, no bytes.
  const file = files.find((received) => received.field === 'file' && received.size > 0);
  if (file) return { bytes: await readFile(file.path), name: uploadFileName(file.sentName, 'upload') };
  const drawing = fields.drawing ? DATA_URL.exec(fields.drawing) : null;
  if (drawing) return { bytes: Buffer.from(drawing[1]!, 'base64'), name: 'drawing' };
  throw new HTTPException(400, { message: 'draw a digit or choose a PNG or JPEG file first' });
}

/** The label field of the keep form: one digit. */
export function labelFromForm({ fields }: ReceivedForm): number {
  const raw = fields.label;
  if (raw === undefined || !/^[0-9]$/.test(raw)) throw new HTTPException(400, { message: 'the label must be one digit, 0 to 9' });
  return Number(raw);
}
