// How the table writes each kind of number.

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + " ms";
export const secs = (v: number) => v.toFixed(2) + " s";
export const pct = (v: number) => (v * 100).toFixed(0) + "%";
export const count = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
export const perSec = (v: number) => (v >= 1e6 ? (v / 1e6).toFixed(2) + " M/s" : v >= 1e4 ? (v / 1e3).toFixed(0) + " k/s" : v.toFixed(0) + "/s");
export const nanos = (v: number) => (v >= 1e4 ? (v / 1e3).toFixed(1) + " µs" : v.toFixed(0) + " ns");
export const kb = (v: number) => (v / 1024).toFixed(2) + " KB";
export const mb = (v: number) => (v / 2 ** 20).toFixed(1) + " MB";
export const check = (ok: boolean, text: string) => (ok ? "✓ " : "✗ ") + text;
export const known = (...vs: number[]) => vs.every(Number.isFinite);
