// For property tests: cuts bytes into the reads a socket might deliver.

/** Cuts `data` at the given points (taken modulo its length, sorted, duplicates dropped). */
export function cut(data: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => (data.length === 0 ? 0 : p % (data.length + 1))))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of at) {
    pieces.push(data.slice(from, to));
    from = to;
  }
  pieces.push(data.slice(from));
  return pieces;
}
