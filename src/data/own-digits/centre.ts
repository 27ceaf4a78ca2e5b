import { blankImage, type GreyImage } from './grey-image.ts';

export const MNIST_SIDE = 28;

function centreOfMass(image: GreyImage): { x: number; y: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  image.pixels.forEach((v, i) => {
    mass += v;
    sx += v * (i % image.width);
    sy += v * Math.floor(i / image.width);
  });
  return mass > 0 ? { x: sx / mass, y: sy / mass } : { x: (image.width - 1) / 2, y: (image.height - 1) / 2 };
}

/**
 * Pastes the digit into a 28x28 field so that its centre of mass lands on the field's centre, as
 * MNIST was made. The shift is whole pixels, which keeps strokes as sharp as the scaling left them.
 */
export function placeByCentreOfMass(digit: GreyImage): GreyImage {
  const mass = centreOfMass(digit);
  const left = Math.round(MNIST_SIDE / 2 - mass.x);
  const top = Math.round(MNIST_SIDE / 2 - mass.y);
  const field = blankImage(MNIST_SIDE, MNIST_SIDE);
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      const fx = x + left;
      const fy = y + top;
      if (fx >= 0 && fy >= 0 && fx < MNIST_SIDE && fy < MNIST_SIDE) field.pixels[fy * MNIST_SIDE + fx] = digit.pixels[y * digit.width + x]!;
    }
  }
  return field;
}
