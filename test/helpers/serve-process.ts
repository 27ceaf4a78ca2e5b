import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve('bin/digitlab.js');

/** Spawns `digitlab serve` on a free loopback port of `db` with `args`; resolves once it says where it listens. */
export function spawnServe(db: string, args: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    server.stderr!.on('data', (chunk) => {
      log += chunk;
      const url = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1];
      if (url) resolve({ server, url });
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
