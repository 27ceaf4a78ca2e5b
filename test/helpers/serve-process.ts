import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Spawns `digitlab serve` on a free loopback port of `db` with `args`; resolves once it says where
 * it listens. `root` is the checkout whose CLI runs (bench/probes.ts compares an older one), `cwd`
 * the folder it is started in; `log` is everything the server wrote to stderr so far.
 */
export function spawnServe(
  db: string,
  args: string[] = [],
  root = '.',
  cwd = root,
): Promise<{ server: ChildProcess; url: string; log: () => string }> {
  const bin = path.resolve(root, 'bin/digitlab.js');
  const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db', path.resolve(db), ...args], { cwd: path.resolve(cwd), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    server.stderr!.on('data', (chunk) => {
      log += chunk;
      const url = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1];
      if (url) resolve({ server, url, log: () => log });
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });
}

/** Stops a child process with SIGTERM and waits for it, so nothing is left behind. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
