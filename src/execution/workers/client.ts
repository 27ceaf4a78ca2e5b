import { setTimeout as sleep } from 'node:timers/promises';

/** The server answered, and said no: retrying the same request cannot help. */
export class WorkerRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** How long one request keeps being retried while the server is unreachable or failing (default 10 min). */
  retryForMs?: number;
  log?: (line: string) => void;
  /**
   * The process's stop (its signal policy's): once aborted, a failing request is not retried, so a
   * worker told to stop while the server is unreachable stops at once instead of after --retry-for.
   */
  stop?: AbortSignal;
}

const MAX_BACKOFF_MS = 5000;

/**
 * The worker's side of the HTTP protocol. A server that is down, restarting or answering 5xx is
 * waited for; a 4xx is final. Every request the worker makes can be repeated safely.
 */
export class WorkerClient {
  private readonly retryForMs: number;

  constructor(
    private readonly server: string,
    /** A worker token; null for a tracking script on a server that needs none (loopback). */
    private readonly token: string | null,
    private readonly options: ClientOptions = {},
  ) {
    this.retryForMs = options.retryForMs ?? 10 * 60_000;
  }

  postJson<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, JSON.stringify(body), { 'Content-Type': 'application/json' });
  }

  putJson<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, JSON.stringify(body), { 'Content-Type': 'application/json' });
  }

  putBytes<T = Record<string, unknown>>(path: string, bytes: Uint8Array, headers: Record<string, string>): Promise<T> {
    return this.request<T>('PUT', path, bytes, { 'Content-Type': 'application/octet-stream', ...headers });
  }

  private async request<T>(method: string, path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<T> {
    const url = new URL(path, this.server);
    const giveUpAt = Date.now() + this.retryForMs;
    let backoff = 250;
    let warned = false;
    for (;;) {
      let problem: string;
      try {
        const response = await fetch(url, { method, body: body as BodyInit, headers: { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...headers }, signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        if (response.ok) {
          if (warned) this.options.log?.(`the server at ${url.origin} answers again`);
          return JSON.parse(text) as T;
        }
        const message = (() => {
          try {
            return (JSON.parse(text) as { error?: string }).error ?? text;
          } catch {
            return text;
          }
        })();
        if (response.status < 500) throw new WorkerRequestError(response.status, `${method} ${url.pathname}: ${response.status} ${message}`);
        problem = `${response.status} ${message}`;
      } catch (err) {
        if (err instanceof WorkerRequestError) throw err;
        problem = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      }
      if (Date.now() + backoff > giveUpAt) throw new Error(`the server at ${url.origin} has not answered for ${Math.round(this.retryForMs / 1000)}s (${problem})`);
      const stopped = () => new Error(`stopped while waiting for the server at ${url.origin} (${problem})`);
      if (this.options.stop?.aborted) throw stopped();
      if (!warned) this.options.log?.(`the server at ${url.origin} does not answer (${problem}); retrying`);
      warned = true;
      await sleep(backoff, undefined, { signal: this.options.stop }).catch(() => {
        throw stopped();
      });
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}
