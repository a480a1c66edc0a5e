/** One sample of the Prometheus text format: `name{label="value",…} value`. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape parsed: the samples, and the TYPE each metric family declared. */
export interface PromScrape {
  readonly samples: readonly PromSample[];
  readonly types: ReadonlyMap<string, string>;
  /**
   * The value of the one sample with exactly these labels, or undefined.
   * @example scrape.value('claimdesk_updates_handled_total', { channel: 'telegram', outcome: 'handled' })
   */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** The sum of the samples of `name` whose labels include `labels` (0 when none). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string): number {
  // as Prometheus reads them (Go's ParseFloat): Inf and NaN in any case (prom-client writes `Nan`)
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Number.POSITIVE_INFINITY;
  if (special === '-inf') return Number.NEGATIVE_INFINITY;
  if (special === 'nan') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

/** Reads `{a="x",b="y\"z"}` from `line` at `at`; returns the labels and where they end. */
function parseLabels(line: string, at: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
    if (!name || line[i + name.length] !== '=' || line[i + name.length + 1] !== '"') throw new Error(`bad label at ${String(i)}: ${line}`);
    i += name.length + 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = value;
    i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected , or } at ${String(i)}: ${line}`);
  }
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` lines, and
 * samples with optional labels and timestamp. Throws on a malformed sample or TYPE line, or a
 * TYPE declared twice.
 */
export function parsePrometheus(text: string): PromScrape {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type?.[1] && type[2]) {
        if (types.has(type[1])) throw new Error(`TYPE of ${type[1]} declared twice`);
        types.set(type[1], type[2]);
      } else if (line.startsWith('# TYPE ')) {
        throw new Error(`bad TYPE line: ${line}`);
      }
      // HELP lines and other comments carry nothing checked here
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`bad sample line: ${line}`);
    let at = name.length;
    let labels: Record<string, string> = {};
    if (line[at] === '{') ({ labels, end: at } = parseLabels(line, at));
    const rest = line.slice(at).trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2) throw new Error(`bad sample line: ${line}`);
    samples.push({ name, labels, value: parseValue(rest[0] ?? '') });
  }
  const matches = (sample: PromSample, labels: Readonly<Record<string, string>>, exact: boolean) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value) && (!exact || Object.keys(sample.labels).length === Object.keys(labels).length);
  return {
    samples,
    types,
    value(name, labels = {}) {
      const found = samples.filter((sample) => sample.name === name && matches(sample, labels, true));
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${String(found.length)} samples`);
      return found[0]?.value;
    },
    sum(name, labels = {}) {
      return samples.filter((sample) => sample.name === name && matches(sample, labels, false)).reduce((total, sample) => total + sample.value, 0);
    },
  };
}
