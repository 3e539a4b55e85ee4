// Times as people read them in lines and tables: the server's local time
// zone, to the minute. ISO 8601 with milliseconds is for programs (JSON).

/** A moment as people read it: the server's local time, to the minute ("2026-12-01 23:14"); an end (roundUp) is rounded up. */
export function localMinute(ms: number, roundUp?: boolean): string {
  const d = new Date(roundUp ? Math.ceil(ms / 60_000) * 60_000 : ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
