import { DomainError } from '../core/errors.ts';
import * as tf from '@tensorflow/tfjs';

export const BACKEND_CHOICES = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export class BackendUnavailableError extends DomainError { readonly kind = 'unavailable'; }

async function loadNode(): Promise<void> {
  // tfjs-node is an optional dependency: its install fails where libtensorflow cannot be downloaded.
  const moduleName = '@tensorflow/tfjs-node';
  await import(moduleName);
  await activate('tensorflow');
}

async function loadWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmTrainingKernels } = await import('./wasm-kernels/index.ts');
  registerWasmTrainingKernels();
  await activate('wasm');
}

async function loadCpu(): Promise<void> {
  await activate('cpu');
}

async function activate(name: string): Promise<void> {
  // Production mode skips per-op NaN checks and silences tfjs' "install tfjs-node" banner.
  tf.enableProdMode();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

const LOADERS: Record<BackendName, () => Promise<void>> = {
  node: loadNode,
  wasm: loadWasm,
  cpu: loadCpu,
};

/** What tfjs calls each engine. */
const TFJS_NAMES: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/**
 * The engine last asked for, its activation and, once done, the engine it gave. tfjs has one
 * engine per process: activating it anew for each caller let a fresh server's concurrent requests
 * run ops while another request was setting the engine up (4 concurrent readings: 500s, "reading
 * 'get'" in Slice). Callers share one activation instead, and an engine still active is not
 * activated again (unless something set another engine in the meantime, as kernel tests do).
 */
let selected: { choice: BackendChoice; engine: Promise<BackendName>; active?: BackendName } | undefined;

const stillActive = (engine: BackendName) => tf.getBackend() === TFJS_NAMES[engine];

/**
 * Activates the requested engine and returns the one in use. `auto` prefers native TensorFlow,
 * then WebAssembly, then plain JavaScript; a forced engine that cannot load is an error.
 */
export function selectBackend(choice: BackendChoice): Promise<BackendName> {
  if (selected?.choice === choice && (selected.active === undefined || stillActive(selected.active))) return selected.engine;
  const previous = selected?.engine.catch(() => undefined);
  const engine = previous
    ? previous.then((active) => (active === choice && stillActive(active) ? active : activateChoice(choice)))
    : activateChoice(choice);
  const current: NonNullable<typeof selected> = { choice, engine };
  selected = current;
  engine.then(
    (active) => {
      current.active = active;
    },
    // A failed activation is not kept: the next caller tries again, and hears why it fails.
    () => {
      if (selected === current) selected = undefined;
    },
  );
  return engine;
}

async function activateChoice(choice: BackendChoice): Promise<BackendName> {
  if (choice !== 'auto') {
    try {
      await LOADERS[choice]();
    } catch (err) {
      throw new BackendUnavailableError(
        `backend '${choice}' is not available here: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    return choice;
  }
  for (const name of ['node', 'wasm', 'cpu'] as const) {
    try {
      await LOADERS[name]();
      return name;
    } catch {
      // fall through to the next engine
    }
  }
  throw new BackendUnavailableError('no tfjs backend could be initialised');
}
