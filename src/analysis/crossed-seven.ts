/**
 * Detects the continental seven: a horizontal bar crossing the descending stem, on the image
 * alone (no model), so that a slice means the same thing for every run.
 *
 * The idea: below the top bar, a plain seven is a single stroke, so each row's ink is one narrow
 * run on the stem. A crossing bar shows as a band of one or two rows whose ink run around the
 * stem is much wider than the stem just above and just below it, and reaches out on both sides.
 */

const SIDE = 28;

interface Run {
  start: number;
  end: number; // inclusive
}

const width = (run: Run) => run.end - run.start + 1;
const centreOf = (run: Run) => (run.start + run.end) / 2;

/** Ink runs of a band of rows ORed together, so a bar drawn on a slight slant still reads as one run. */
function bandRuns(image: Uint8Array, offset: number, fromRow: number, rows: number): Run[] {
  const runs: Run[] = [];
  let start = -1;
  const lastRow = Math.min(SIDE, fromRow + rows);
  for (let x = 0; x <= SIDE; x++) {
    let ink = false;
    for (let y = fromRow; x < SIDE && y < lastRow; y++) {
      if (image[offset + y * SIDE + x]! >= CROSSING.ink) ink = true;
    }
    if (ink && start < 0) start = x;
    if (!ink && start >= 0) {
      runs.push({ start, end: x - 1 });
      start = -1;
    }
  }
  return runs;
}

function nearestRun(runs: Run[], x: number, maxDistance = Infinity): Run | null {
  let best: Run | null = null;
  let bestDistance = maxDistance + 1e-9;
  for (const run of runs) {
    const distance = Math.max(0, run.start - x, x - run.end);
    if (distance < bestDistance) {
      best = run;
      bestDistance = distance;
    }
  }
  return best;
}

interface Stem {
  top: number;
  bottom: number;
  /** Per row, where the stem passes. */
  centre: Float64Array;
  /** Per row, the ink run the stem passes through (wider where something crosses it), if any. */
  run: (Run | null)[];
  /** Per row, whether that run is the bare stem, as wide as the stem is elsewhere. */
  bare: boolean[];
  /** Per row, the first column of the bare stem: where a bar's left part ends. */
  leftEdge: Float64Array;
}

function inkRows(image: Uint8Array, offset: number): { top: number; bottom: number } | null {
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (image[offset + y * SIDE + x]! >= CROSSING.ink) {
        if (top < 0) top = y;
        bottom = y;
        break;
      }
    }
  }
  return top < 0 ? null : { top, bottom };
}

/**
 * Follows the stem from the bottom of the digit upwards, one row at a time, taking the run that
 * touches where the stem was (a stroke moves at most a pixel or two per row). Rows where that run
 * is much wider than the stem so far (a bar, the top bar) keep the previous position, so a bar
 * cannot drag the stem sideways; so do gaps in the ink.
 */
function traceStem(image: Uint8Array, offset: number): Stem | null {
  const extent = inkRows(image, offset);
  if (!extent) return null;
  const centre = new Float64Array(SIDE).fill(NaN);
  const leftEdge = new Float64Array(SIDE).fill(NaN);
  const run = new Array<Run | null>(SIDE).fill(null);
  const bare = new Array<boolean>(SIDE).fill(false);
  const bareWidths: number[] = [];
  let previous = NaN;
  let halfWidth = 0;
  for (let y = extent.bottom; y >= extent.top; y--) {
    const runs = bandRuns(image, offset, y, 1);
    const found = Number.isNaN(previous)
      ? runs.reduce((a, b) => (width(b) > width(a) ? b : a))
      : nearestRun(runs, previous, CROSSING.maxStemStep);
    run[y] = found;
    bare[y] = found !== null && (bareWidths.length === 0 || width(found) <= Math.max(4, CROSSING.bareFactor * medianOf(bareWidths)));
    if (found && bare[y]) {
      bareWidths.push(width(found));
      previous = centreOf(found);
      halfWidth = width(found) / 2;
    }
    centre[y] = previous;
    leftEdge[y] = previous - halfWidth;
  }
  return { ...extent, centre, run, bare, leftEdge };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Many sevens start with a serif that hooks down from the top-left, so their top bar is drawn
 * low and reads like a crossing. What tells them apart: the hook's bar is joined to ink that climbs
 * back up (or trails down) on the left of the stem, while a true crossing bar's left part is a free
 * end. Flood-fills from the bar's left part, staying left of the stem, and returns how many rows
 * the fill reaches beyond the two-row band.
 */
function leftPartSpread(image: Uint8Array, offset: number, stem: Stem, bar: Run, row: number): number {
  const limit = (y: number) => Math.floor(stem.leftEdge[y]!);
  const seen = new Uint8Array(SIDE * SIDE);
  const stack: number[] = [];
  for (let y = row; y <= row + 1; y++) {
    for (let x = bar.start; x < limit(y); x++) {
      if (image[offset + y * SIDE + x]! >= CROSSING.ink) stack.push(y * SIDE + x);
    }
  }
  let highest = row;
  let lowest = row + 1;
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen[at]) continue;
    seen[at] = 1;
    const y = Math.floor(at / SIDE);
    highest = Math.min(highest, y);
    lowest = Math.max(lowest, y);
    for (let ny = y - 1; ny <= y + 1; ny++) {
      for (let nx = (at % SIDE) - 1; nx <= (at % SIDE) + 1; nx++) {
        if (nx < 0 || ny < stem.top || ny > stem.bottom || nx >= limit(ny) || seen[ny * SIDE + nx]) continue;
        if (image[offset + ny * SIDE + nx]! >= CROSSING.ink) stack.push(ny * SIDE + nx);
      }
    }
  }
  return Math.max(row - highest, lowest - row - 1);
}

const CROSSING = {
  /** Pixel value from which a pixel counts as ink. */
  ink: 64,
  /** The bar must be at least this much wider than the stem around it. */
  minExtraWidth: 4,
  /** ...and reach this far beyond the stem's centre on each side. */
  minReach: 1,
  /** A row is bare stem while its run is at most this many times the stem's usual width. */
  bareFactor: 2,
  /** How far the stem may move sideways from one row to the next, in pixels. */
  maxStemStep: 2,
  /** Rows above and below the band where the bare stem is measured. */
  stemGap: 3,
  /** A bar whose left part spreads more rows than this beyond the band is the low top bar of a hooked seven. */
  hookRise: 2,
} as const;

export interface CrossingEvidence {
  /** Top row of the two-row band read as the crossing bar. */
  row: number;
  barStart: number;
  barEnd: number;
  /** Where the stem passes at that row. */
  stemAt: number;
}

export interface SevenShape {
  crossed: boolean;
  /** How much wider than the stem the best bar candidate is, in pixels: ranks near misses too. */
  score: number;
  evidence: CrossingEvidence | null;
}

/**
 * Classifies one 28x28 image of `images` (assumed to be a seven) as crossed or plain. Thresholds
 * were tuned on hand-labelled train sevens (test/fixtures/crossed-sevens-labels.json).
 */
export function sevenShape(images: Uint8Array, index = 0): SevenShape {
  const offset = index * SIDE * SIDE;
  const stem = traceStem(images, offset);
  if (!stem) return { crossed: false, score: 0, evidence: null };
  let best: CrossingEvidence | null = null;
  let bestExtra = 0;
  const height = stem.bottom - stem.top + 1;
  // The top bar and its thickness take roughly the top quarter; a crossing sits below it.
  const first = stem.top + Math.max(4, Math.round(height * 0.25));
  const last = stem.bottom - Math.max(3, Math.round(height * 0.15));
  for (let row = first; row <= last; row++) {
    const stemAt = stem.centre[row]!;
    const bar = nearestRun(bandRuns(images, offset, row, 2), stemAt);
    const aboveRow = row - CROSSING.stemGap;
    const belowRow = row + 1 + CROSSING.stemGap;
    const above = stem.run[aboveRow];
    const below = stem.run[belowRow];
    // A crossing has bare stem on both sides; a wide run above or below is the top bar or a foot.
    if (!bar || !above || !below || !stem.bare[aboveRow] || !stem.bare[belowRow]) continue;
    const extra = width(bar) - Math.max(width(above), width(below));
    const reachesBothSides = bar.start <= stemAt - CROSSING.minReach && bar.end >= stemAt + CROSSING.minReach;
    if (
      reachesBothSides &&
      extra > bestExtra &&
      leftPartSpread(images, offset, stem, bar, row) <= CROSSING.hookRise
    ) {
      bestExtra = extra;
      best = { row, barStart: bar.start, barEnd: bar.end, stemAt };
    }
  }
  return { crossed: bestExtra >= CROSSING.minExtraWidth, score: bestExtra, evidence: best };
}
