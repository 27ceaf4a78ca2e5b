/**
 * Runs `work` and measures the longest the event loop went without running a 10 ms timer
 * meanwhile: how long `work` kept the server from answering anyone else.
 */
export async function longestStallDuring<T>(work: () => T | Promise<T>): Promise<{ result: T; longestStall: number }> {
  let longestStall = 0;
  let last = performance.now();
  const ticks = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    // A stall that ended just now has not been seen by the timer yet.
    return { result, longestStall: Math.max(longestStall, performance.now() - last) };
  } finally {
    clearInterval(ticks);
  }
}
