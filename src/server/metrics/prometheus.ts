/**
 * Just enough of the Prometheus text exposition format (version 0.0.4) for the server's own
 * metrics: counters, gauges read at scrape time, and histograms, each with labels.
 */
export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

export interface Metric {
  render(): Promise<string>;
}

export class Counter implements Metric {
  #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  async render(): Promise<string> {
    let text = header(this.name, this.help, 'counter');
    for (const [labels, value] of this.#values) text += `${this.name}${labels} ${value}\n`;
    return text;
  }
}

/** A gauge whose samples are read when scraped, from wherever the truth lives. */
export class CollectedGauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly collect: () => Promise<Array<{ labels: Labels; value: number }>>,
  ) {}

  async render(): Promise<string> {
    let text = header(this.name, this.help, 'gauge');
    for (const { labels, value } of await this.collect()) text += `${this.name}${labelText(labels)} ${value}\n`;
    return text;
  }
}

export class Histogram implements Metric {
  #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i] = (series.counts[i] ?? 0) + 1;
    });
    series.sum += value;
    series.count++;
  }

  async render(): Promise<string> {
    let text = header(this.name, this.help, 'histogram');
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        text += `${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i] ?? 0}\n`;
      });
      text += `${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}\n`;
      text += `${this.name}_sum${labelText(labels)} ${sum}\n${this.name}_count${labelText(labels)} ${count}\n`;
    }
    return text;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function renderMetrics(metrics: readonly Metric[]): Promise<string> {
  return (await Promise.all(metrics.map((m) => m.render()))).join('');
}
