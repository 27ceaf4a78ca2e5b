import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HTTPException } from 'hono/http-exception';

/** A file part of a form, as its bytes arrived on disk. */
export interface ReceivedFile {
  /** The form field it came in. */
  field: string;
  /** The name its client sent: not to be trusted as a path (see uploadFileName). */
  sentName: string;
  /** Where its bytes are: `part-N` in the directory the caller gave. */
  path: string;
  size: number;
}

/** A multipart form whose files went to disk as they arrived; a repeated text field keeps its first value. */
export interface ReceivedForm {
  fields: Record<string, string>;
  files: ReceivedFile[];
}

/** A part's headers or (unless a route says otherwise) a text field longer than this is no form a page of ours sends. */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * A route's bounds on an upload: `maxBytes` in all (else a 413 saying `tooLarge`), and each text
 * field at most `maxFieldBytes` (64 kB unless the route's form carries a large text field, as the
 * own-digits keep form carries its picture in base64).
 */
export interface UploadLimits {
  maxBytes: number;
  tooLarge: string;
  maxFieldBytes?: number;
}

const malformed = (why: string) =>
  new HTTPException(400, { message: `the form body could not be read: it is not well-formed multipart data (${why})` });

function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  if (!match) throw malformed('the request is not multipart/form-data with a boundary');
  return match[1] ?? match[2]!;
}

const dispositionParam = (header: string, name: string) =>
  new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(header)?.[1];

/** A body whose Content-Length says it is over the limit is refused before it is read. */
function refuseDeclaredOverLimit(request: Request, { maxBytes, tooLarge }: UploadLimits): void {
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw new HTTPException(413, { message: tooLarge });
}

/**
 * Hands `take` each chunk of `body` as it arrives, at most `maxBytes` in all (else a 413 with
 * `tooLarge`). On any failure the client's upload is stopped and the body let go; the caller
 * removes what was written.
 */
async function eachChunk(body: ReadableStream<Uint8Array>, { maxBytes, tooLarge }: UploadLimits, take: (chunk: Buffer) => Promise<unknown>): Promise<void> {
  const reader = body.getReader();
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      received += value.length;
      if (received > maxBytes) throw new HTTPException(413, { message: tooLarge });
      await take(Buffer.from(value.buffer, value.byteOffset, value.length));
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  }
}

/**
 * Reads a multipart/form-data body as it arrives, writing each file part to its own file in `dir`
 * and keeping text fields: a large upload never sits whole in memory, and no step holds the event
 * loop for longer than one network chunk takes to scan. More than `maxBytes` in all is a 413 with
 * `tooLarge` (a Content-Length that says so is refused before reading); a body that breaks the
 * format is a 400. The caller owns `dir` and removes it, whatever this throws.
 */
async function multipartToDisk(request: Request, dir: string, limits: UploadLimits): Promise<ReceivedForm> {
  const boundary = boundaryOf(request.headers.get('content-type') ?? undefined);
  refuseDeclaredOverLimit(request, limits);
  if (!request.body) throw malformed('the body is empty');
  const parser = new MultipartParser(boundary, dir, limits.maxFieldBytes ?? MAX_FIELD_BYTES);
  try {
    await eachChunk(request.body, limits, (chunk) => parser.push(chunk));
    return parser.end();
  } finally {
    await parser.close();
  }
}

/** Runs `use` with a scratch directory of its own, removed on every path: success, a refusal, an error, a client that broke off. */
async function withScratchDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'digitlab-upload-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Receives a multipart upload into a scratch directory of its own and hands it to `use` with that directory. */
export function withUploadedForm<T>(
  request: Request,
  limits: UploadLimits,
  use: (form: ReceivedForm, dir: string) => Promise<T>,
): Promise<T> {
  return withScratchDir(async (dir) => use(await multipartToDisk(request, dir, limits), dir));
}

/**
 * Receives a raw body (a PUT of one file) into a scratch file as it arrives, within
 * `limits.maxBytes`, and hands `use` its path: a model of tens of MB is never gathered whole on
 * the event loop (collecting and joining its chunks took 100 to 200 ms there).
 */
export function withUploadedBody<T>(request: Request, limits: UploadLimits, use: (file: string) => Promise<T>): Promise<T> {
  return withScratchDir(async (dir) => {
    refuseDeclaredOverLimit(request, limits);
    const file = path.join(dir, 'body');
    const out = await open(file, 'w');
    try {
      if (request.body) await eachChunk(request.body, limits, (chunk) => out.write(chunk));
    } finally {
      await out.close();
    }
    return use(file);
  });
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'content' | 'done';
type Part = { field: string; text: Buffer[]; textBytes: number; file?: ReceivedFile & { handle: FileHandle } };

/**
 * The multipart grammar (RFC 7578 over RFC 2046) as a state machine over the bytes not yet
 * consumed. The body is taken to begin with CRLF, so its first `--boundary` is found by the same
 * delimiter search as every later one.
 */
class MultipartParser {
  private readonly delimiter: Buffer;
  private pending: Buffer = Buffer.from('\r\n');
  private state: State = 'preamble';
  private part: Part | undefined;
  private readonly form: ReceivedForm = { fields: {}, files: [] };

  constructor(
    boundary: string,
    private readonly dir: string,
    private readonly maxFieldBytes: number,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  async push(chunk: Buffer): Promise<void> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (await this.step());
  }

  end(): ReceivedForm {
    if (this.state !== 'done') throw malformed('it ends before its closing boundary');
    return this.form;
  }

  /** Closes a file left open by a body that broke off. */
  async close(): Promise<void> {
    await this.part?.file?.handle.close().catch(() => {});
  }

  /** Consumes what it can of the pending bytes; false when it needs more. */
  private async step(): Promise<boolean> {
    switch (this.state) {
      case 'preamble': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          if (this.pending.length > MAX_HEADER_BYTES) throw malformed('no boundary where the body begins');
          return false;
        }
        this.consume(at + this.delimiter.length);
        this.state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (this.pending.length < 2) return false;
        const next = this.pending.toString('latin1', 0, 2);
        this.consume(2);
        if (next === '--') this.state = 'done';
        else if (next === '\r\n') this.state = 'headers';
        else throw malformed('a boundary is followed by neither CRLF nor --');
        return this.state !== 'done';
      }
      case 'headers': {
        const at = this.pending.indexOf('\r\n\r\n');
        if (at < 0) {
          if (this.pending.length > MAX_HEADER_BYTES) throw malformed("a part's headers do not end");
          return false;
        }
        await this.startPart(this.pending.toString('utf8', 0, at));
        this.consume(at + 4);
        this.state = 'content';
        return true;
      }
      case 'content': {
        const at = this.pending.indexOf(this.delimiter);
        // Without a delimiter, all but its length less one byte is content: the rest may begin one.
        const content = at >= 0 ? at : Math.max(0, this.pending.length - this.delimiter.length + 1);
        if (content > 0) await this.write(this.pending.subarray(0, content));
        this.consume(content);
        if (at < 0) return false;
        await this.endPart();
        this.consume(this.delimiter.length);
        this.state = 'after-delimiter';
        return true;
      }
      case 'done':
        // The epilogue after the closing boundary carries nothing.
        this.pending = Buffer.alloc(0);
        return false;
    }
  }

  private consume(bytes: number) {
    this.pending = this.pending.subarray(bytes);
  }

  private async startPart(headers: string) {
    const disposition = headers.split('\r\n').find((line) => /^content-disposition\s*:\s*form-data\b/i.test(line));
    const field = disposition && dispositionParam(disposition, 'name');
    if (field === undefined) throw malformed('a part has no Content-Disposition: form-data; name="..."');
    const sentName = dispositionParam(disposition!, 'filename');
    this.part = { field, text: [], textBytes: 0 };
    if (sentName === undefined) return;
    const file = path.join(this.dir, `part-${this.form.files.length}`);
    this.part.file = { field, sentName, path: file, size: 0, handle: await open(file, 'wx') };
  }

  private async write(bytes: Buffer) {
    const part = this.part!;
    if (part.file) {
      await part.file.handle.write(bytes);
      part.file.size += bytes.length;
      return;
    }
    part.textBytes += bytes.length;
    if (part.textBytes > this.maxFieldBytes) throw new HTTPException(413, { message: `the form field '${part.field}' is over ${Math.round(this.maxFieldBytes / 1024)} kB` });
    part.text.push(bytes);
  }

  private async endPart() {
    const { field, text, file } = this.part!;
    this.part = undefined;
    if (file) {
      const { handle, ...received } = file;
      await handle.close();
      this.form.files.push(received);
    } else if (!(field in this.form.fields)) {
      this.form.fields[field] = Buffer.concat(text).toString('utf8');
    }
  }
}
