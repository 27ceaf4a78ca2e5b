import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from './hyperparameters.ts';
import { adamOptimizer } from './optimizer.ts';

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const LR_SCHEDULES = ['constant', 'step', 'cosine', 'onecycle'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** How the weights move: optimizer, its settings and the learning rate over the run's steps. */
export interface Recipe {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  lrSchedule: LrSchedule;
  /** Steps the whole run takes, which the schedules span. */
  totalSteps: number;
}

/** The momentum an optimizer uses when none is given: sgd's classic 0.9, none for rmsprop; adam and adamw take none at all. */
export const defaultMomentum = (optimizer: OptimizerName | undefined) => (optimizer === 'sgd' ? 0.9 : 0);

/** The recipe a run's hyperparameters ask for; absent fields (older runs) are Adam at a constant rate. */
export function recipeOf(hp: Hyperparameters, stepsPerEpoch: number): Recipe {
  return {
    optimizer: hp.optimizer ?? 'adam',
    learningRate: hp.learningRate,
    momentum: hp.momentum ?? defaultMomentum(hp.optimizer),
    weightDecay: hp.weightDecay ?? 0,
    lrSchedule: hp.lrSchedule ?? 'constant',
    totalSteps: hp.epochs * stepsPerEpoch,
  };
}

/** One-cycle as PyTorch's OneCycleLR defaults: 30% warm-up from lr/25, cosine down to lr/25e4. */
const ONECYCLE_WARMUP = 0.3;
const ONECYCLE_START_DIVISOR = 25;
const ONECYCLE_END_DIVISOR = 25e4;

const cosineBetween = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;

/**
 * The learning rate of step `step` (0-based). step: a tenth of it after half the steps and a
 * hundredth after three quarters; cosine: from lr down to 0; onecycle: lr is the peak.
 */
export function learningRateAt(recipe: Recipe, step: number): number {
  const { learningRate: lr, totalSteps } = recipe;
  const t = Math.min(step / Math.max(totalSteps, 1), 1);
  switch (recipe.lrSchedule) {
    case 'constant':
      return lr;
    case 'step':
      return lr * (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01);
    case 'cosine':
      return cosineBetween(lr, 0, t);
    case 'onecycle':
      return t < ONECYCLE_WARMUP
        ? cosineBetween(lr / ONECYCLE_START_DIVISOR, lr, t / ONECYCLE_WARMUP)
        : cosineBetween(lr, lr / ONECYCLE_END_DIVISOR, (t - ONECYCLE_WARMUP) / (1 - ONECYCLE_WARMUP));
  }
}

const isPlainAdam = (recipe: Recipe) => recipe.optimizer === 'adam' && recipe.lrSchedule === 'constant' && recipe.weightDecay === 0;

/**
 * The optimizer for a recipe. Plain Adam at a constant rate is exactly what runs always used
 * (adamOptimizer: the fused wasm kernel there), so those runs stay bit-identical; anything else
 * wraps tfjs' optimizer (Adam stays fused) in RecipeOptimizer.
 */
export function trainingOptimizer(recipe: Recipe): tf.Optimizer {
  if (isPlainAdam(recipe)) return adamOptimizer(recipe.learningRate);
  const lr = learningRateAt(recipe, 0);
  const inner =
    recipe.optimizer === 'sgd'
      ? tf.train.momentum(lr, recipe.momentum)
      : recipe.optimizer === 'rmsprop'
        ? tf.train.rmsprop(lr, 0.9, recipe.momentum)
        : adamOptimizer(lr);
  return new RecipeOptimizer(inner, recipe);
}

/**
 * tfjs' optimizers read `learningRate` on every step, except SGD and momentum, which cache it and
 * have setLearningRate. Not `instanceof tf.SGDOptimizer`: tfjs' optimizer classes answer instanceof
 * for any optimizer (Symbol.hasInstance), FusedAdam included.
 */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const cached = optimizer as Partial<Pick<tf.SGDOptimizer, 'setLearningRate'>>;
  if (typeof cached.setLearningRate === 'function') cached.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Sets the scheduled learning rate before each step and applies weight decay: added to the
 * gradient (L2, as PyTorch's weight_decay) for adam, sgd and rmsprop; decoupled from it for adamw
 * (w -= lr * decay * w, then the Adam step, as PyTorch's AdamW).
 */
class RecipeOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'RecipeOptimizer';
  }

  private steps = 0;

  constructor(
    private readonly inner: tf.Optimizer,
    private readonly recipe: Recipe,
  ) {
    super();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const gradients = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const lr = learningRateAt(this.recipe, this.steps++);
    const decay = this.recipe.weightDecay;
    setLearningRate(this.inner, lr);
    tf.tidy(() => {
      const variable = (name: string) => tf.engine().registeredVariables[name]!;
      if (decay > 0 && this.recipe.optimizer === 'adamw') {
        for (const { name } of gradients) variable(name).assign(tf.mul(variable(name), 1 - lr * decay));
      }
      const applied =
        decay > 0 && this.recipe.optimizer !== 'adamw'
          ? gradients.map(({ name, tensor }) => ({ name, tensor: tf.add(tensor, tf.mul(variable(name), decay)) }))
          : gradients;
      this.inner.applyGradients(applied);
    });
    this.incrementIterations();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.recipe };
  }

  override dispose(): void {
    this.inner.dispose();
    super.dispose();
  }
}
