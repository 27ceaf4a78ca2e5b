import { seededRandom } from '../../experiments/random.ts';

/**
 * Ways a photographed digit differs from MNIST's, each at growing strength. Strength 0 is always
 * the untouched image. Where a transform has a direction (shift, rotation), it alternates with
 * the image's index, so the test set sees each direction equally and no mirror habit of the
 * model is measured as robustness.
 */
export interface DigitTransform {
  name: string;
  unit: string;
  strengths: number[];
  /** A new 784-value image; `index` (the test image's) picks directions and noise. */
  apply(image: Float32Array, strength: number, index: number): Float32Array;
}

const SIDE = 28;
const CENTRE = (SIDE - 1) / 2;

/** Bilinear sample, black outside the frame (the page's colour). */
function sample(image: Float32Array, side: number, x: number, y: number): number {
  const [x0, y0] = [Math.floor(x), Math.floor(y)];
  const [fx, fy] = [x - x0, y - y0];
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= side || yy >= side ? 0 : image[yy * side + xx]!);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

/** Output pixel (x, y) reads the input at `source(x, y)`, both about the frame's centre. */
function warp(image: Float32Array, source: (x: number, y: number) => [number, number]): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [sx, sy] = source(x - CENTRE, y - CENTRE);
      out[y * SIDE + x] = sample(image, SIDE, sx + CENTRE, sy + CENTRE);
    }
  }
  return out;
}

const DIRECTIONS: [number, number][] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

const shift: DigitTransform = {
  name: 'shift',
  unit: 'px',
  strengths: [0, 1, 2, 3, 4],
  apply(image, strength, index) {
    const [dx, dy] = DIRECTIONS[index % 4]!;
    return warp(image, (x, y) => [x - dx * strength, y - dy * strength]);
  },
};

const rotate: DigitTransform = {
  name: 'rotate',
  unit: '°',
  strengths: [0, 15, 30, 45, 60],
  apply(image, strength, index) {
    const angle = ((index % 2 ? -1 : 1) * strength * Math.PI) / 180;
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    return warp(image, (x, y) => [cos * x + sin * y, -sin * x + cos * y]);
  },
};

const scale: DigitTransform = {
  name: 'scale',
  unit: '% size',
  strengths: [-40, -20, 0, 20, 40],
  apply(image, strength) {
    const factor = 1 + strength / 100;
    return warp(image, (x, y) => [x / factor, y / factor]);
  },
};

/**
 * Morpho-MNIST's thinning and thickening (Castro et al. 2019): erosion or dilation with a disc,
 * at a finer resolution than 28 px so that half-pixel changes exist. Here the image is upsampled
 * 2x, eroded or dilated (grey-level min or max over the disc) and averaged back down. Unlike
 * Morpho-MNIST, which scales the disc to each digit's own stroke width, the strength is absolute:
 * the stroke-width change in pixels at 28 px, negative for thinner.
 */
const thickness: DigitTransform = {
  name: 'thickness',
  unit: 'px stroke',
  strengths: [-1.5, -1, 0, 1, 2, 3],
  apply(image, strength) {
    if (strength === 0) return image.slice();
    const big = 2 * SIDE;
    const up = new Float32Array(big * big);
    for (let y = 0; y < big; y++) for (let x = 0; x < big; x++) up[y * big + x] = sample(image, SIDE, (x - 0.5) / 2, (y - 0.5) / 2);
    // A radius of |strength| px at 2x moves each edge |strength| / 2 px at 28 px: the width changes by |strength|.
    const radius = Math.abs(strength);
    const disc: [number, number][] = [];
    for (let dy = -Math.floor(radius); dy <= radius; dy++) for (let dx = -Math.floor(radius); dx <= radius; dx++) if (dx * dx + dy * dy <= radius * radius) disc.push([dx, dy]);
    const thicker = strength > 0;
    const morphed = new Float32Array(big * big);
    for (let y = 0; y < big; y++) {
      for (let x = 0; x < big; x++) {
        let best = thicker ? 0 : 1;
        for (const [dx, dy] of disc) {
          const [xx, yy] = [x + dx, y + dy];
          const value = xx < 0 || yy < 0 || xx >= big || yy >= big ? 0 : up[yy * big + xx]!;
          best = thicker ? Math.max(best, value) : Math.min(best, value);
        }
        morphed[y * big + x] = best;
      }
    }
    const out = new Float32Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const at = (2 * y) * big + 2 * x;
        out[y * SIDE + x] = (morphed[at]! + morphed[at + 1]! + morphed[at + big]! + morphed[at + big + 1]!) / 4;
      }
    }
    return out;
  },
};

const noise: DigitTransform = {
  name: 'noise',
  unit: 'σ',
  strengths: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
  apply(image, strength, index) {
    const random = seededRandom(index * 7919 + Math.round(strength * 1000));
    return image.map((v) => {
      // Box-Muller: one standard normal draw per pixel.
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.min(1, Math.max(0, v + strength * gaussian));
    });
  },
};

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  return kernel.map((v) => v / sum);
}

/** One pass of a separable blur, along rows or columns; black beyond the frame. */
function convolve(image: Float32Array, kernel: Float32Array, horizontal: boolean): Float32Array {
  const radius = (kernel.length - 1) / 2;
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) {
        const [xx, yy] = horizontal ? [x + k, y] : [x, y + k];
        if (xx >= 0 && yy >= 0 && xx < SIDE && yy < SIDE) sum += image[yy * SIDE + xx]! * kernel[k + radius]!;
      }
      out[y * SIDE + x] = sum;
    }
  }
  return out;
}

const blur: DigitTransform = {
  name: 'blur',
  unit: 'σ px',
  strengths: [0, 0.5, 1, 1.5, 2],
  apply(image, strength) {
    if (strength === 0) return image.slice();
    const kernel = gaussianKernel(strength);
    return convolve(convolve(image, kernel, true), kernel, false);
  },
};

/** Ink and page both drift to grey, as in a dim or washed-out photo. */
const contrast: DigitTransform = {
  name: 'contrast',
  unit: 'loss',
  strengths: [0, 0.2, 0.4, 0.6, 0.8],
  apply(image, strength) {
    return image.map((v) => 0.5 + (v - 0.5) * (1 - strength));
  },
};

export const TRANSFORMS: DigitTransform[] = [shift, rotate, scale, thickness, noise, blur, contrast];
export const TRANSFORM_NAMES = TRANSFORMS.map((t) => t.name);

export function transformNamed(name: string): DigitTransform | undefined {
  return TRANSFORMS.find((t) => t.name === name);
}
