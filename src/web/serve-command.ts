import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { UsageError, type Command } from '../experiments/cli/command.ts';
import { openStoreFor } from '../experiments/cli/store-option.ts';
import { RunQueue } from '../experiments/queue.ts';
import { DEFAULT_LEASE_MS, leasePolicy } from '../experiments/workers/leases.ts';
import { createApp } from './app.tsx';
import { startLeaseReaper } from './workers/lease-reaper.ts';

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the web workbench and JSON API; trains launched runs in worker processes',
  positionals: [],
  options: {
    port: { type: 'integer', min: 0, max: 65535, description: 'TCP port; 0 picks a free one (default 3000)' },
    host: { type: 'string', placeholder: 'ADDR', description: 'address to listen on (default 127.0.0.1: this machine only)' },
    'max-concurrent': { type: 'integer', min: 0, max: 64, description: 'runs that train at once here, each in its own process; 0 leaves every run to remote workers (default 1)' },
    'lease-seconds': { type: 'integer', min: 2, max: 3600, description: 'a remote worker silent this long loses its run (default 60)' },
    retry: { type: 'integer', min: 0, max: 10, description: 'times a run whose remote worker vanished is queued again before it is failed (default 0)' },
  },
  async run({ options }, context) {
    const host = (options.host as string | undefined) ?? '127.0.0.1';
    const log = (line: string) => context.stderr.write(`${line}\n`);
    const db = openStoreFor(options, context);
    const queue = new RunQueue({ db, maxConcurrent: options['max-concurrent'] as number | undefined, log });
    const leases = leasePolicy(((options['lease-seconds'] as number | undefined) ?? DEFAULT_LEASE_MS / 1000) * 1000);
    const server = serve({ fetch: createApp({ db, queue, leases }).fetch, port: (options.port as number | undefined) ?? 3000, hostname: host });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (err) {
      db.$client.close();
      throw new UsageError(`cannot listen on ${host}: ${(err as Error).message}`);
    }
    queue.start();
    const reaper = startLeaseReaper(db, leases, (options.retry as number | undefined) ?? 0, log);
    log(`digitlab is serving http://${urlHost(host)}:${(server.address() as AddressInfo).port}/ (Ctrl-C stops it)`);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log('stopping: runs in training are cancelled after their current batch; queued runs wait for the next start');
    server.close();
    clearInterval(reaper);
    await queue.stop();
    db.$client.close();
    return 0;
  },
};

/** The web layer's commands; src/main.ts adds them to the CLI. */
export const WEB_COMMANDS: Command[] = [serveCommand];
