import { PNG } from 'pngjs';

/** Red for evidence for the class, blue against; the colours of the legend on every page. */
export const FOR_COLOUR = [220, 38, 38] as const;
export const AGAINST_COLOUR = [37, 99, 235] as const;

/** The largest |value|: what full colour stands for, so the legend can say it. */
export const mapScale = (map: Float32Array) => map.reduce((max, v) => Math.max(max, Math.abs(v)), 0) || 1;

/**
 * A map as a PNG, each pixel `scale` px square: over the grey image when `base` (784 values in
 * [0,1]) is given, else on transparency, to lay over an image shown beneath. Opacity grows with
 * |value| relative to the map's largest.
 */
export function attributionPng(map: Float32Array, base: Float32Array | null, scale = 1): Buffer {
  const side = 28 * scale;
  const png = new PNG({ width: side, height: side });
  const top = mapScale(map);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = Math.floor(y / scale) * 28 + Math.floor(x / scale);
      const value = map[i]!;
      const colour = value >= 0 ? FOR_COLOUR : AGAINST_COLOUR;
      const alpha = Math.min(1, Math.abs(value) / top);
      const at = (y * side + x) * 4;
      if (base) {
        const grey = base[i]! * 255;
        for (let c = 0; c < 3; c++) png.data[at + c] = Math.round(grey * (1 - alpha) + colour[c]! * alpha);
        png.data[at + 3] = 255;
      } else {
        for (let c = 0; c < 3; c++) png.data[at + c] = colour[c]!;
        png.data[at + 3] = Math.round(alpha * 230);
      }
    }
  }
  return PNG.sync.write(png);
}
