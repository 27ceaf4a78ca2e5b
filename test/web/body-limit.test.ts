import { serve } from '@hono/node-server';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webApp } from '../helpers/web.ts';

// Over a real socket: app.request() hands the app a fetch Request already, which hides what
// @hono/node-server does for a GET when something asks for its body.
let server: ReturnType<typeof serve>;
let port: number;
beforeAll(async () => {
  server = serve({ fetch: webApp().app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function send(method: string, path: string, body: string): Promise<number> {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length), Origin: `http://127.0.0.1:${port}` };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('the general 64 kB body limit', () => {
  const large = `note=${'x'.repeat(100 * 1024)}`;

  it('refuses a larger body where a route reads it', async () => {
    expect(await send('POST', '/runs/1/note', large)).toBe(413);
  });

  it('leaves alone a GET, whose body no route reads', async () => {
    expect(await send('GET', '/healthz', large)).toBe(200);
  });
});
