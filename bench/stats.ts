// Latency histogram and the few summary numbers the report needs.
//
// A benchmark run records millions of latencies; keeping them all and
// sorting would cost the load generator memory and CPU it needs for
// reading sockets. A log-linear histogram (HDR-style: 64 sub-buckets per
// power of two, so every value is kept to within ~1.6%) records each one
// with a shift and an increment, and percentiles come from one walk.

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64 sub-buckets per octave
const LINEAR = SUB * 2; // values below 128 are counted exactly
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = LINEAR + (31 - SUB_BITS - 1) * SUB;

/** Latencies in whole microseconds. */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  record(micros: number): void {
    const v = micros < 0 ? 0 : micros > MAX_VALUE ? MAX_VALUE : micros | 0;
    this.count++;
    if (v > this.max) this.max = v;
    this.counts[bucketOf(v)]!++;
  }

  /** The value at fraction `q` (0..1), in microseconds; the exact max for q = 1. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    if (q >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }
}

function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  const octave = 31 - Math.clz32(v); // >= 7
  const shift = octave - SUB_BITS;
  return LINEAR + (octave - SUB_BITS - 1) * SUB + ((v >> shift) - SUB);
}

/** The middle of bucket `i`. */
function valueOf(i: number): number {
  if (i < LINEAR) return i;
  const octave = Math.floor((i - LINEAR) / SUB) + SUB_BITS + 1;
  const shift = octave - SUB_BITS;
  const low = ((i - LINEAR) % SUB) + SUB;
  return (low << shift) + ((1 << shift) >> 1);
}

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}
