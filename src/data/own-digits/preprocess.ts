import { keepDigit } from './components.ts';
import { placeByCentreOfMass } from './centre.ts';
import { decodeGreyscale, UnreadableImageError } from './decode.ts';
import { crop, type Box, type GreyImage } from './grey-image.ts';
import { extractInk } from './ink.ts';
import { fitLongerSide, resizeArea } from './resample.ts';

/** Photos are far larger than a digit needs; shrinking first keeps every later step fast. */
const WORKING_SIDE = 512;
/** MNIST's digits fill a 20x20 box inside the 28x28 field. */
const DIGIT_SIDE = 20;

export interface PreprocessStep {
  name: 'greyscale' | 'background' | 'ink' | 'digit' | 'cropped' | 'scaled' | 'centred';
  /** What the step did to this picture, in words a page can show. */
  caption: string;
  /** For greyscale and background 1 is white; from `ink` on, 1 is ink (white on black, as MNIST). */
  image: GreyImage;
  /** The digit's bounding box, on the `digit` step. */
  box?: Box;
}

export interface PreprocessedDigit {
  /** 784 values in [0,1], row-major: what the model reads. */
  input: Float32Array;
  darkInk: boolean;
  steps: PreprocessStep[];
}

function workingCopy(image: GreyImage): GreyImage {
  if (Math.max(image.width, image.height) <= WORKING_SIDE) return image;
  const size = fitLongerSide(image.width, image.height, WORKING_SIDE);
  return resizeArea(image, size.width, size.height);
}

const NO_DIGIT = 'no digit found: the picture looks blank (nothing stands out from the paper)';

/**
 * Turns a photo or drawing of one digit into an MNIST-style 28x28 input, keeping each step's
 * image. Throws UnreadableImageError for files that are not images, too large, corrupt or blank.
 */
export function preprocessDigit(bytes: Uint8Array): PreprocessedDigit {
  const original = decodeGreyscale(bytes);
  const grey = workingCopy(original);
  const extraction = extractInk(grey);
  if (!extraction) throw new UnreadableImageError(NO_DIGIT);
  const digit = keepDigit(extraction.ink);
  if (!digit) throw new UnreadableImageError(NO_DIGIT);
  const cropped = crop(digit.image, digit.box);
  const size = fitLongerSide(cropped.width, cropped.height, DIGIT_SIDE);
  const scaled = resizeArea(cropped, size.width, size.height);
  const centred = placeByCentreOfMass(scaled);
  const polarity = extraction.darkInk ? 'dark ink on light paper: inverted' : 'light ink on dark ground: kept';
  return {
    input: centred.pixels,
    darkInk: extraction.darkInk,
    steps: [
      { name: 'greyscale', caption: `greyscale, ${original.width}x${original.height}${grey === original ? '' : ` shrunk to ${grey.width}x${grey.height}`}`, image: grey },
      { name: 'background', caption: 'paper brightness estimated tile by tile (uneven lighting)', image: extraction.background },
      { name: 'ink', caption: `${polarity}; background subtracted, contrast stretched`, image: extraction.ink },
      { name: 'digit', caption: 'specks and parts touching the border removed; bounding box', image: digit.image, box: digit.box },
      { name: 'cropped', caption: `cropped to ${cropped.width}x${cropped.height}`, image: cropped },
      { name: 'scaled', caption: `scaled to ${size.width}x${size.height} by area averaging (anti-aliased)`, image: scaled },
      { name: 'centred', caption: 'placed in 28x28 by centre of mass', image: centred },
    ],
  };
}
