import { keyedRandom } from '../../core/random.ts';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CENTRE = (SIDE - 1) / 2;

/** `--augment shift=2,rotate=10,scale=0.1,elastic=34`: the largest random change of each kind. */
export interface AugmentSettings {
  /** Pixels, each way, horizontally and vertically. */
  shift?: number;
  /** Degrees, either way. */
  rotate?: number;
  /** Relative size change, either way: 0.1 draws sizes from 0.9 to 1.1. */
  scale?: number;
  /** Simard et al.'s elastic distortion: alpha of a random field smoothed with sigma 4 px. */
  elastic?: number;
}

export const AUGMENT_LIMITS: Record<keyof AugmentSettings, { max: number; unit: string }> = {
  shift: { max: 8, unit: 'px' },
  rotate: { max: 45, unit: 'degrees' },
  scale: { max: 0.5, unit: 'relative size' },
  elastic: { max: 100, unit: 'alpha' },
};

const ELASTIC_SIGMA = 4;
/** Stream keys, so each kind of transform draws from its own stream. */
const AFFINE_STREAM = 1;
const ELASTIC_STREAM = 2;

const GAUSSIAN = (() => {
  const radius = Math.ceil(3 * ELASTIC_SIGMA);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * ELASTIC_SIGMA ** 2)));
  const total = weights.reduce((a, b) => a + b, 0);
  return { radius, weights: weights.map((w) => w / total) };
})();

/** A separable Gaussian blur with zero padding, in place. */
function smooth(field: Float32Array): void {
  const { radius, weights } = GAUSSIAN;
  const pass = (source: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(PIXELS);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let sum = 0;
        // Only the taps inside the image, in the same order as over all of them with zeros outside.
        const along = horizontal ? x : y;
        const step = horizontal ? 1 : SIDE;
        const centre = y * SIDE + x;
        for (let k = Math.max(-radius, -along); k <= Math.min(radius, SIDE - 1 - along); k++) {
          sum += weights[k + radius]! * source[centre + k * step]!;
        }
        out[y * SIDE + x] = sum;
      }
    }
    return out;
  };
  field.set(pass(pass(field, true), false));
}

function elasticField(alpha: number, random: () => number): { dx: Float32Array; dy: Float32Array } {
  const draw = () => {
    const field = new Float32Array(PIXELS).map(() => random() * 2 - 1);
    smooth(field);
    return field.map((v) => v * alpha);
  };
  return { dx: draw(), dy: draw() };
}

/**
 * Bilinear sample of a 28x28 image, zero outside it. It runs for every pixel of every augmented
 * training image, so it reads the four neighbours without a closure or an array per call; the
 * arithmetic is the formula's, in its order, so the output is bit-identical to the plain form.
 */
function sample(image: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  // All four neighbours outside: the weighted sum of zeros is 0.
  if (x0 < -1 || x0 >= SIDE || y0 < -1 || y0 >= SIDE) return 0;
  const fx = x - x0;
  const fy = y - y0;
  const left = x0 >= 0;
  const right = x0 + 1 < SIDE;
  const top = y0 >= 0;
  const bottom = y0 + 1 < SIDE;
  const row = y0 * SIDE + x0;
  const topLeft = top && left ? image[row]! : 0;
  const topRight = top && right ? image[row + 1]! : 0;
  const bottomLeft = bottom && left ? image[row + SIDE]! : 0;
  const bottomRight = bottom && right ? image[row + SIDE + 1]! : 0;
  return (1 - fy) * ((1 - fx) * topLeft + fx * topRight) + fy * ((1 - fx) * bottomLeft + fx * bottomRight);
}

/**
 * Moves one image (in place) by a random shift, rotation and scale about its centre, then an
 * optional elastic distortion; what it gets depends on (seed, image index, epoch) only.
 */
export function transformImage(image: Float32Array, settings: AugmentSettings, seed: number, index: number, epoch: number): void {
  const random = keyedRandom(seed, index, epoch, AFFINE_STREAM);
  const between = (limit: number) => (random() * 2 - 1) * limit;
  const [tx, ty] = [between(settings.shift ?? 0), between(settings.shift ?? 0)];
  const angle = (between(settings.rotate ?? 0) * Math.PI) / 180;
  const scale = 1 + between(settings.scale ?? 0);
  const field = settings.elastic ? elasticField(settings.elastic, keyedRandom(seed, index, epoch, ELASTIC_STREAM)) : null;
  // Each output pixel reads the source where the inverse transform takes it.
  const [cos, sin] = [Math.cos(angle) / scale, Math.sin(angle) / scale];
  const source = image.slice();
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const p = y * SIDE + x;
      const u = x - CENTRE - tx + (field ? field.dx[p]! : 0);
      const v = y - CENTRE - ty + (field ? field.dy[p]! : 0);
      image[p] = sample(source, cos * u + sin * v + CENTRE, -sin * u + cos * v + CENTRE);
    }
  }
}

/** Transforms every row of a batch; `indices` say which training image each row is. */
export function transformBatch(pixels: Float32Array, indices: ArrayLike<number>, settings: AugmentSettings, seed: number, epoch: number): void {
  for (let row = 0; row < indices.length; row++) {
    transformImage(pixels.subarray(row * PIXELS, (row + 1) * PIXELS), settings, seed, indices[row]!, epoch);
  }
}

/** Parses `shift=2,rotate=10`; a string says what is wrong. */
export function parseAugment(raw: string): AugmentSettings | string {
  const settings: AugmentSettings = {};
  // Each kind's first pair, so a repeat is refused instead of silently overriding it.
  const given = new Map<keyof AugmentSettings, string>();
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\w+)=(.+)$/.exec(part);
    const name = match?.[1] as keyof AugmentSettings | undefined;
    if (!match || !name || !(name in AUGMENT_LIMITS)) {
      return `takes kind=amount pairs separated by commas, kinds ${Object.keys(AUGMENT_LIMITS).join(', ')}; got '${part}'`;
    }
    const earlier = given.get(name);
    if (earlier !== undefined) return `gives ${name} twice ('${earlier}', '${part}'); give each kind once`;
    given.set(name, part);
    const value = Number(match[2]);
    const { max, unit } = AUGMENT_LIMITS[name];
    if (!Number.isFinite(value) || value < 0 || value > max) return `${name} must be a number from 0 to ${max} (${unit}); got '${match[2]}'`;
    if (value > 0) settings[name] = value;
  }
  return settings;
}

/** The settings back in the flag's form, for the "train it again" command and run names. */
export function formatAugment(settings: AugmentSettings): string {
  return Object.entries(settings).map(([name, value]) => `${name}=${value}`).join(',');
}
