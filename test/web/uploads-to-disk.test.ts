import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withUploadedForm, type ReceivedForm } from '../../src/web/uploads-to-disk.ts';

const LIMITS = { maxBytes: 1024 * 1024, tooLarge: 'an upload is at most 1 MB' };
const BOUNDARY = 'XyZ';

/** A request whose body arrives in chunks of `size` bytes (or as the chunks given), as a slow network delivers it. */
function requestOf(body: Uint8Array | Uint8Array[], { size = Infinity, contentType = `multipart/form-data; boundary=${BOUNDARY}`, failAfter }: { size?: number; contentType?: string; failAfter?: number } = {}): Request {
  const chunks = Array.isArray(body) ? [...body] : [];
  if (!Array.isArray(body)) for (let at = 0; at < body.length; at += Math.min(size, body.length)) chunks.push(body.subarray(at, at + size));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && sent === failAfter) return controller.error(new Error('the client went away'));
      const chunk = chunks.shift();
      if (chunk) {
        sent++;
        controller.enqueue(chunk);
      } else controller.close();
    },
  });
  return new Request('http://localhost/upload', { method: 'POST', body: stream, headers: { 'Content-Type': contentType }, duplex: 'half' } as RequestInit);
}

/** The form and each file's bytes, read before the scratch directory goes. */
const received = (request: Request) =>
  withUploadedForm(request, LIMITS, async (form: ReceivedForm, dir) => ({
    form,
    dir,
    bytes: form.files.map((file) => readFileSync(file.path)),
  }));

async function encoded(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

const text = (s: string) => new TextEncoder().encode(s);

let scratch: string;
beforeEach(() => {
  // Scratch directories go under TMPDIR: one of this test's own, to see that nothing is left in it.
  scratch = mkdtempSync(path.join(os.tmpdir(), 'multipart-test-'));
  vi.stubEnv('TMPDIR', scratch);
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a multipart body read to disk as it arrives', () => {
  it("gives the fields and the files' exact bytes, whatever the chunks split (a boundary cut in two, CRLFs in a file)", async () => {
    const binary = new Uint8Array(7_000).map((_, i) => (i * 7919) % 256);
    // Bytes that look like the start of a delimiter without being one.
    binary.set(text(`\r\n--${'X'}`), 100);
    const form = new FormData();
    form.append('name', 'ünïcode name');
    form.append('file', new File([binary], 'weights.bin'));
    form.append('file', new File([text('a,b\r\n1,2\r\n')], 'p.csv'));
    form.append('name', 'second value ignored');
    const { body, contentType } = await encoded(form);
    for (const size of [1, 7, 4096, Infinity]) {
      const { form: got, bytes, dir } = await received(requestOf(body, { size, contentType }));
      expect(got.fields, `chunks of ${size}`).toEqual({ name: 'ünïcode name' });
      expect(got.files.map(({ field, sentName, size }) => ({ field, sentName, size }))).toEqual([
        { field: 'file', sentName: 'weights.bin', size: 7_000 },
        { field: 'file', sentName: 'p.csv', size: 10 },
      ]);
      expect(Buffer.compare(bytes[0]!, Buffer.from(binary))).toBe(0);
      expect(bytes[1]!.toString()).toBe('a,b\r\n1,2\r\n');
      expect(path.dirname(got.files[0]!.path)).toBe(dir);
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('keeps an empty file part (an input left empty) as a file of no bytes', async () => {
    const body = text(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--${BOUNDARY}--\r\n`);
    const { form } = await received(requestOf(body));
    expect(form.files).toMatchObject([{ field: 'file', sentName: '', size: 0 }]);
  });

  it.each([
    ['no boundary in its Content-Type', text('x'), 'application/x-www-form-urlencoded', /not multipart\/form-data with a boundary/],
    ['no closing boundary', text(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nnot closed`), undefined, /ends before its closing boundary/],
    ['a part without a name', text(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`), undefined, /no Content-Disposition/],
    ['junk after a boundary', text(`--${BOUNDARY}junk\r\n\r\n`), undefined, /neither CRLF nor --/],
    ['headers that never end', text(`--${BOUNDARY}\r\nX: ${'y'.repeat(20_000)}`), undefined, /headers do not end/],
    ['no boundary at all', text('y'.repeat(20_000)), undefined, /no boundary where the body begins/],
  ])('is a 400 with a message for %s, leaving nothing behind', async (_, body, contentType, message) => {
    const failure = await received(requestOf(body, { contentType })).catch((err) => err);
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/the form body could not be read/);
    expect(failure.message).toMatch(message);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('is a 413 as soon as more than the limit has arrived, leaving nothing behind', async () => {
    const big = new File([new Uint8Array(LIMITS.maxBytes + 1)], 'big.onnx');
    const form = new FormData();
    form.append('file', big);
    const { body, contentType } = await encoded(form);
    const failure = await received(requestOf(body, { size: 65_536, contentType })).catch((err) => err);
    expect(failure.status).toBe(413);
    expect(failure.message).toBe(LIMITS.tooLarge);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('is a 413 before reading when the Content-Length says too much', async () => {
    const request = new Request('http://localhost/', { method: 'POST', body: 'x', headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(LIMITS.maxBytes + 1) } });
    const failure = await received(request).catch((err) => err);
    expect(failure.status).toBe(413);
  });

  it('caps a text field at 64 kB unless the route allows more, as the own-digits keep form does', async () => {
    const form = new FormData();
    form.append('picture', 'A'.repeat(100 * 1024));
    const { body, contentType } = await encoded(form);
    const refused = await received(requestOf(body, { size: 65_536, contentType })).catch((err) => err);
    expect(refused.status).toBe(413);
    expect(refused.message).toBe("the form field 'picture' is over 64 kB");
    const taken = await withUploadedForm(requestOf(body, { size: 65_536, contentType }), { ...LIMITS, maxFieldBytes: 128 * 1024 }, async (got) => got.fields);
    expect(taken.picture).toHaveLength(100 * 1024);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('removes what was written when the client breaks off mid-file', async () => {
    const head = text(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n`);
    const failure = await received(requestOf([head, new Uint8Array(10_000), new Uint8Array(10_000)], { failAfter: 2 })).catch((err) => err);
    expect(failure.message).toBe('the client went away');
    expect(readdirSync(scratch)).toEqual([]);
  });
});
