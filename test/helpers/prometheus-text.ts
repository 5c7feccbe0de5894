/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written for the
 * tests so they check what a scraper would accept rather than trusting the producer: every
 * line must be a HELP, a TYPE or a sample of a declared family, label values properly quoted.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one sample, matching every given label; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` (optionally matching `labels`). */
  all(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Exposition {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition: the text must end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 80))})`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`exposition: bad metric name at ${where}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`exposition: unknown type at ${where}`);
        if (types.has(name)) throw new Error(`exposition: second TYPE for ${name} at ${where}`);
        types.set(name, rest);
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)( -?\d+)?$/.exec(line);
    if (!m) throw new Error(`exposition: not a sample at ${where}`);
    const name = m[1] as string;
    const labels = m[3] !== undefined ? parseLabels(m[3], where) : {};
    const raw = m[4] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`exposition: bad value at ${where}`);
    const family = familyOf(name, types);
    if (!family) throw new Error(`exposition: sample of an undeclared metric at ${where}`);
    samples.push({ name, labels, value });
  });
  const matches = (s: Sample, name: string, labels: Record<string, string>) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    types,
    samples,
    value: (name, labels = {}) => samples.find((s) => matches(s, name, labels))?.value,
    all: (name, labels = {}) => samples.filter((s) => matches(s, name, labels)),
  };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
    if (base && (types.get(base) === 'histogram' || types.get(base) === 'summary')) return base;
  }
  return undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
    if (!m) throw new Error(`exposition: bad label at ${where}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`exposition: unterminated label value at ${where}`);
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else throw new Error(`exposition: bad escape in a label value at ${where}`);
        i += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      i++;
    }
    i++;
    labels[m[1] as string] = value;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`exposition: expected , between labels at ${where}`);
  }
  return labels;
}
