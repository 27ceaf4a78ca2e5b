import { seededRandom } from '../../core/random.ts';

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
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const inX0 = x0 >= 0 && x0 < side;
  const inX1 = x0 + 1 >= 0 && x0 + 1 < side;
  let top = 0;
  let bottom = 0;
  if (y0 >= 0 && y0 < side) {
    const row = y0 * side;
    top = (inX0 ? image[row + x0]! : 0) * (1 - fx) + (inX1 ? image[row + x0 + 1]! : 0) * fx;
  }
  if (y0 + 1 >= 0 && y0 + 1 < side) {
    const row = (y0 + 1) * side;
    bottom = (inX0 ? image[row + x0]! : 0) * (1 - fx) + (inX1 ? image[row + x0 + 1]! : 0) * fx;
  }
  return top * (1 - fy) + bottom * fy;
}

/**
 * Output pixel (x, y), both about the frame's centre, reads the input at (xx·x + xy·y + x0,
 * yx·x + yy·y + y0): shift, rotation and scale are all such maps. A loop without a closure or a
 * pair allocated per pixel: the robustness set warps 120,000 images.
 */
function warp(image: Float32Array, xx: number, xy: number, x0: number, yx: number, yy: number, y0: number): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    const cy = y - CENTRE;
    for (let x = 0; x < SIDE; x++) {
      const cx = x - CENTRE;
      out[y * SIDE + x] = sample(image, SIDE, xx * cx + xy * cy + x0 + CENTRE, yx * cx + yy * cy + y0 + CENTRE);
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
    return warp(image, 1, 0, -dx * strength, 0, 1, -dy * strength);
  },
};

const rotate: DigitTransform = {
  name: 'rotate',
  unit: '°',
  strengths: [0, 15, 30, 45, 60],
  apply(image, strength, index) {
    const angle = ((index % 2 ? -1 : 1) * strength * Math.PI) / 180;
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    return warp(image, cos, sin, 0, -sin, cos, 0);
  },
};

const scale: DigitTransform = {
  name: 'scale',
  unit: '% size',
  strengths: [-40, -20, 0, 20, 40],
  apply(image, strength) {
    const factor = 1 + strength / 100;
    return warp(image, 1 / factor, 0, 0, 0, 1 / factor, 0);
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
    // A radius of |strength| px at 2x moves each edge |strength| / 2 px at 28 px: the width changes by |strength|.
    const radius = Math.abs(strength);
    const reach = Math.floor(radius);
    // The 2x image inside a black margin as wide as the disc's reach, so no offset needs a bounds check.
    const padded = big + 2 * reach;
    const up = new Float32Array(padded * padded);
    for (let y = 0; y < big; y++) for (let x = 0; x < big; x++) up[(y + reach) * padded + x + reach] = sample(image, SIDE, (x - 0.5) / 2, (y - 0.5) / 2);
    const disc: number[] = [];
    for (let dy = -reach; dy <= radius; dy++) for (let dx = -reach; dx <= radius; dx++) if (dx * dx + dy * dy <= radius * radius) disc.push(dy * padded + dx);
    const thicker = strength > 0;
    const morphed = new Float32Array(big * big);
    for (let y = 0; y < big; y++) {
      for (let x = 0; x < big; x++) {
        const centre = (y + reach) * padded + x + reach;
        let best = thicker ? 0 : 1;
        for (let k = 0; k < disc.length; k++) {
          const value = up[centre + disc[k]!]!;
          if (thicker ? value > best : value < best) best = value;
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
        const along = (horizontal ? x : y) + k;
        if (along >= 0 && along < SIDE) sum += image[horizontal ? y * SIDE + along : along * SIDE + x]! * kernel[k + radius]!;
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
