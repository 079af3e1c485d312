/**
 * The Prometheus text exposition format (0.0.4), written by hand (no prom-client: a few dozen
 * series do not need a dependency): label and HELP escaping, number formatting, and a writer that
 * groups samples into families. Which families /metrics has is metrics.ts.
 */

type Labels = Readonly<Record<string, string>>;
type FamilyType = 'counter' | 'gauge' | 'summary';

/**
 * A Prometheus summary: quantiles over a recent window (["0.5", v], ...) plus, where the source
 * tracks them, the sum and count of every observation since start. A source that does not (a
 * test fake) still gives a valid summary without `_sum`/`_count`.
 */
export interface SummaryValue {
  readonly quantiles: ReadonlyArray<readonly [quantile: string, value: number | undefined]>;
  readonly sum?: number;
  readonly count?: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

// HELP text escapes only backslash and newline (quotes are literal there).
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`;
}

/**
 * Collects samples per family and renders each family as one block: HELP, TYPE, then all its
 * samples, whatever order they were added in. Parsers other than Prometheus's own (Python's
 * prometheus_client) start a new, untyped family when a family's samples are split up.
 * Misuse that yields an invalid exposition throws, so a unit test catches it before promtool.
 */
export class MetricsWriter {
  private readonly families = new Map<string, { type: FamilyType; help: string; samples: string[] }>();

  add(name: string, type: 'counter' | 'gauge', help: string, value: number | undefined, labels: Labels = {}): void {
    if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    if ('quantile' in labels || 'le' in labels)
      throw new Error(`${name}: quantile/le labels belong to summaries/histograms`);
    if (value === undefined || !Number.isFinite(value)) return;
    this.family(name, type, help).push(sample(name, labels, value));
  }

  summary(name: string, help: string, value: SummaryValue | undefined, labels: Labels = {}): void {
    if (value === undefined) return;
    const samples = this.family(name, 'summary', help);
    for (const [quantile, v] of value.quantiles) {
      if (v !== undefined && Number.isFinite(v)) samples.push(sample(name, { ...labels, quantile }, v));
    }
    if (value.sum !== undefined) samples.push(sample(`${name}_sum`, labels, value.sum));
    if (value.count !== undefined) samples.push(sample(`${name}_count`, labels, value.count));
  }

  private family(name: string, type: FamilyType, help: string): string[] {
    const existing = this.families.get(name);
    if (existing === undefined) {
      const samples: string[] = [];
      this.families.set(name, { type, help, samples });
      return samples;
    }
    if (existing.type !== type) throw new Error(`${name} added as ${existing.type} and as ${type}`);
    return existing.samples;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.families) {
      if (f.samples.length === 0) continue;
      lines.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return `${lines.join('\n')}\n`;
  }
}
