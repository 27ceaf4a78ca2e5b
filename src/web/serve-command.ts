import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type Command } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { stopAllThreadJobs } from '../core/thread-job.ts';
import { RUN_PRIORITIES, RunQueue, type RunPriority } from '../execution/queue.ts';
import { SlurmExecutor } from '../execution/slurm/slurm-executor.ts';
import { DEFAULT_LEASE_MS, leasePolicy } from '../execution/workers/leases.ts';
import { ExplainThread } from '../analysis/explain/explain-in-thread.ts';
import { MapJobs } from '../analysis/maps/map-jobs.ts';
import { BackgroundAnalyses } from '../analysis/run-analyses/background.ts';
import { RunAnalyses } from '../analysis/run-analyses/run-analyses.ts';
import { partitionSevens } from '../analysis/slices.ts';
import { createApp } from './app.tsx';
import { DatasetImages, TestImages } from './test-images.ts';
import { loadMnist } from '../data/mnist.ts';
import { startLeaseReaper } from './workers/lease-reaper.ts';
import { newAccessToken } from './request-guard.ts';

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);
const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** The names a client may use for this server: --host itself, and for a wildcard every name and address of this machine. */
function namesFor(host: string): string[] {
  if (!isWildcard(host)) return [host];
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return [os.hostname(), ...addresses];
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the web workbench and JSON API; trains launched runs in processes of their own, or on remote workers',
  positionals: [],
  options: {
    port: { type: 'integer', min: 0, max: 65535, description: 'TCP port; 0 picks a free one (default 3000)' },
    host: { type: 'string', placeholder: 'ADDR', description: 'address to listen on (default 127.0.0.1: this machine only)' },
    'max-concurrent': { type: 'integer', min: 0, max: 64, description: 'runs that train at once here, each in its own process; 0 leaves every run to remote workers (default 1)' },
    'lease-seconds': { type: 'integer', min: 2, max: 3600, description: 'a remote worker silent this long loses its run (default 60)' },
    retry: { type: 'integer', min: 0, max: 10, description: 'times a run whose worker vanished or was interrupted (SIGTERM: a scheduler, a time limit) is queued again before it is failed (default 0)' },
    executor: { type: 'choice', choices: ['local', 'slurm'], description: 'local trains queued runs here; slurm submits each as a batch job running `digitlab worker --once` (default local)' },
    'slurm-arg': { type: 'string', multiple: true, placeholder: 'ARG', description: 'passed to sbatch as it is, e.g. --slurm-arg=--partition=short --slurm-arg=--cpus-per-task=4; repeatable' },
    'server-url': { type: 'string', placeholder: 'URL', description: "where Slurm jobs' workers reach this server (default: the address it listens on)" },
    'run-priority': {
      type: 'choice',
      choices: [...RUN_PRIORITIES],
      description: "idle trains runs on the CPU the machine's other work leaves (SCHED_IDLE), so pages never wait but a busy machine slows training; low trains them at nice 5, sharing the cores (default idle)",
    },
    'allow-remote': { type: 'boolean', description: 'allow a --host other machines can reach; every request then needs the printed token' },
  },
  async run({ options }, context) {
    const host = (options.host as string | undefined) ?? '127.0.0.1';
    const log = (line: string) => context.stderr.write(`${line}\n`);
    const remote = !isLoopback(host);
    if (remote && !options['allow-remote']) {
      throw new UsageError(`--host ${host} can be reached from other machines, and anyone who reaches it can train and delete runs; add --allow-remote to do it anyway (a token is then required)`);
    }
    // --allow-remote promises that every request needs the token, on a loopback --host as well
    // (other users of this machine, a tunnel or a proxy in front of it reach loopback too).
    const access = remote || options['allow-remote'] ? newAccessToken() : undefined;
    const executor = (options.executor as string | undefined) ?? 'local';
    if (executor !== 'slurm' && (options['slurm-arg'] !== undefined || options['server-url'] !== undefined)) {
      throw new UsageError('--slurm-arg and --server-url go with --executor slurm');
    }
    const serverUrl = options['server-url'] as string | undefined;
    if (serverUrl !== undefined && !/^https?:\/\/[^/]/.test(serverUrl)) throw new UsageError("--server-url must be an http:// or https:// URL");
    const { db, runs } = openRunStoreFor(options, context);
    const retries = (options.retry as number | undefined) ?? 0;
    const leases = leasePolicy(((options['lease-seconds'] as number | undefined) ?? DEFAULT_LEASE_MS / 1000) * 1000, retries);
    const port = (options.port as number | undefined) ?? 3000;
    // Shared by the pages and the background work, so neither computes what the other has.
    const images = new TestImages();
    // Read and scanned for sevens before listening: the first page would otherwise do it (a few
    // hundred ms on a busy machine) on the event loop.
    partitionSevens(images.dataset);
    const trainImages = new TestImages(() => loadMnist('train'));
    const datasets = new DatasetImages(db, { test: images, train: trainImages });
    const maps = new MapJobs(db);
    const analyses = new RunAnalyses(db, (dataset) => datasets.test(dataset).labels);
    const explainer = new ExplainThread(db);
    const app = (listening: number, queue: RunQueue) =>
      createApp({ db, runs, queue, leases, images, trainImages, datasets, maps, analyses, explainer, listening: { port: listening, names: namesFor(host) }, accessTokenHash: access?.hash });
    // Port 0 is only known once listening: the app (and the Host names it answers) is made then.
    let handler: ReturnType<typeof app> | undefined;
    const server = serve({ fetch: (request, env) => (handler ? handler.fetch(request, env) : new Response('starting', { status: 503 })), port, hostname: host });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (err) {
      db.$client.close();
      throw new UsageError(`cannot listen on ${host}: ${(err as Error).message}`);
    }
    const actualPort = (server.address() as AddressInfo).port;
    const url = `http://${urlHost(host)}:${actualPort}/`;
    let slurm: SlurmExecutor | undefined;
    if (executor === 'slurm') {
      // Known only now that the port is: the URL the jobs' workers call back.
      const jobsReach = serverUrl ?? (isWildcard(host) ? `http://${os.hostname()}:${actualPort}/` : url);
      const logDir = path.join(path.dirname(path.resolve(db.$client.name)), 'slurm-logs');
      slurm = new SlurmExecutor({ db, runs, serverUrl: jobsReach, slurmArgs: (options['slurm-arg'] as string[] | undefined) ?? [], logDir, log });
      log(`runs go to Slurm as batch jobs whose workers reach this server at ${jobsReach}; their output is in ${logDir}`);
    }
    const queue = new RunQueue({ db, runs, maxConcurrent: options['max-concurrent'] as number | undefined, log, slurm, retries, runPriority: options['run-priority'] as RunPriority | undefined });
    handler = app(actualPort, queue);
    queue.start();
    const reaper = await startLeaseReaper(db, runs, leases, log);
    // Maps, slices, the dataset page's facts and label issues of runs that completed (here or in any
    // other process) are computed before anyone asks, one at a time, in low-priority threads.
    const stopBackground = new BackgroundAnalyses(db, maps, analyses, log).start();
    explainer.warm();
    images.encodeAllInThread('test').catch((err: Error) => log(`thumbnails: ${err.message}; pages encode them as they need them`));
    if (access) {
      const reach = remote ? `WARNING: serving on ${host}, reachable from other machines;` : `--allow-remote:`;
      log(`${reach} every request needs this token, shown only now:`);
      log(`  ${access.token}   (open ${url}?token=${access.token} in a browser, or send Authorization: Bearer TOKEN)`);
    }
    log(`digitlab is serving ${url} (Ctrl-C stops it)`);

    // The one signal policy: Ctrl-C (SIGINT) is a person stopping everything, so what trains is
    // cancelled; SIGTERM (systemd, a scheduler, a shutdown) interrupts it, for --retry to requeue.
    const signal = await new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const ending = signal === 'SIGINT' ? 'cancelled' : retries > 0 ? 'interrupted and queued again (--retry)' : 'interrupted and failed (no --retry)';
    log(`stopping (${signal}): runs in training are ${ending} after their current batch; queued runs wait for the next start`);
    server.close();
    clearInterval(reaper);
    // A map in hand would take its seconds to finish: end it, it is done again at the next start.
    const background = stopBackground();
    stopAllThreadJobs('the server is stopping');
    explainer.stop();
    await Promise.all([queue.stop(signal), background]);
    db.$client.close();
    return 0;
  },
};

/** The web layer's commands; src/main.ts adds them to the CLI. */
export const WEB_COMMANDS: Command[] = [serveCommand];
