import { PNG } from 'pngjs';

/** A 28x28 grey image (bytes 0-255) as a data: URI, for pages that show images they computed. */
export function dataUri(pixels: Uint8Array): string {
  return digitStripUri([pixels]);
}

/** 28x28 grey images (bytes 0-255) side by side in one data: URI, as one strip. */
export function digitStripUri(digits: Uint8Array[]): string {
  const width = 28 * digits.length;
  const image = new PNG({ width, height: 28, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const data = Buffer.alloc(width * 28);
  digits.forEach((pixels, d) => {
    for (let y = 0; y < 28; y++) data.set(pixels.subarray(y * 28, y * 28 + 28), y * width + d * 28);
  });
  image.data = data;
  return `data:image/png;base64,${PNG.sync.write(image, { colorType: 0, inputColorType: 0 }).toString('base64')}`;
}
