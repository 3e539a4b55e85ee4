// /metrics read the way Prometheus reads it: fetched, then parsed with
// parse-prometheus-text-format (a port of Prometheus's own text parser), so
// a malformed line fails the test instead of being skipped by a regex.

import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Scrape {
  /** metric family name -> its TYPE and samples */
  families: Map<string, { type: string; help: string; samples: { labels: Record<string, string>; value: number }[] }>;
  /** one sample's value; throws when the family or the labelled sample is missing */
  value(name: string, labels?: Record<string, string>): number;
}

export async function scrape(url: string, init: RequestInit = {}): Promise<Scrape> {
  const res = await fetch(url, init);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain; version=0.0.4")) throw new Error(`${url}: content-type ${type}`);
  return parseScrape(await res.text());
}

export function parseScrape(text: string): Scrape {
  const families: Scrape["families"] = new Map();
  for (const family of parsePrometheusTextFormat(text)) {
    const samples = family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
    families.set(family.name, { type: family.type, help: family.help, samples });
  }
  return {
    families,
    value(name, labels = {}) {
      const family = families.get(name);
      if (!family) throw new Error(`no metric ${name} in:\n${text}`);
      const wanted = Object.entries(labels);
      const found = family.samples.find((s) => wanted.every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === wanted.length);
      if (!found) throw new Error(`no sample ${name}${JSON.stringify(labels)} in:\n${text}`);
      return found.value;
    },
  };
}
