import { PNG } from 'pngjs';

/** A 28x28 grey image (bytes 0-255) as a data: URI, for pages that show images they computed. */
export function dataUri(pixels: Uint8Array): string {
  const image = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, bitDepth: 8 });
  image.data = Buffer.from(pixels);
  return `data:image/png;base64,${PNG.sync.write(image, { colorType: 0, inputColorType: 0 }).toString('base64')}`;
}
