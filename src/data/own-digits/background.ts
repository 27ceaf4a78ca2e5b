import { blankImage, quantile, type GreyImage } from './grey-image.ts';

/** Tiles per side of the background grid: coarse enough that a stroke rarely fills a tile. */
const GRID = 8;

function tileStatistic(image: GreyImage, q: number): { grid: Float32Array; tile: number } {
  const tile = Math.max(4, Math.ceil(Math.max(image.width, image.height) / GRID));
  const columns = Math.ceil(image.width / tile);
  const rows = Math.ceil(image.height / tile);
  const grid = new Float32Array(columns * rows);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < columns; tx++) {
      const values: number[] = [];
      for (let y = ty * tile; y < Math.min((ty + 1) * tile, image.height); y++) {
        for (let x = tx * tile; x < Math.min((tx + 1) * tile, image.width); x++) values.push(image.pixels[y * image.width + x]!);
      }
      grid[ty * columns + tx] = quantile(Float32Array.from(values), q);
    }
  }
  return { grid: medianOfNeighbours(grid, columns, rows), tile };
}

/** A 3x3 median over the tile grid: one tile that a thick stroke did fill takes its neighbours' paper. */
function medianOfNeighbours(grid: Float32Array, columns: number, rows: number): Float32Array {
  const out = new Float32Array(grid.length);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const around: number[] = [];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const gx = x + dx;
          const gy = y + dy;
          if (gx >= 0 && gy >= 0 && gx < columns && gy < rows) around.push(grid[gy * columns + gx]!);
        }
      }
      out[y * columns + x] = around.sort((a, b) => a - b)[Math.floor(around.length / 2)]!;
    }
  }
  return out;
}

/**
 * The paper's brightness under uneven light: a quantile of each tile, interpolated bilinearly
 * between tile centres so that a lighting gradient becomes a smooth surface, not steps.
 */
export function estimateBackground(image: GreyImage, q: number): GreyImage {
  const { grid, tile } = tileStatistic(image, q);
  const columns = Math.ceil(image.width / tile);
  const rows = Math.ceil(image.height / tile);
  const at = (gx: number, gy: number) =>
    grid[Math.min(rows - 1, Math.max(0, gy)) * columns + Math.min(columns - 1, Math.max(0, gx))]!;
  const out = blankImage(image.width, image.height);
  for (let y = 0; y < image.height; y++) {
    const fy = (y + 0.5) / tile - 0.5;
    const gy = Math.floor(fy);
    const wy = fy - gy;
    for (let x = 0; x < image.width; x++) {
      const fx = (x + 0.5) / tile - 0.5;
      const gx = Math.floor(fx);
      const wx = fx - gx;
      const top = at(gx, gy) * (1 - wx) + at(gx + 1, gy) * wx;
      const bottom = at(gx, gy + 1) * (1 - wx) + at(gx + 1, gy + 1) * wx;
      out.pixels[y * image.width + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}
