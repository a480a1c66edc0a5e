/**
 * Similar claims (#24): how long one search takes over the claims of a category's window, with
 * the scoring of src/domain/similarity.ts (stemming + TF-IDF + cosine, pure; the store only reads
 * the candidates). `npx tsx bench/similar-claims.ts [--claims 5000] [--searches 20] [--reps 5]`.
 * Each rep times `searches` searches (each tokenises and stems every candidate's description: the
 * domain keeps no index) and the tokenising alone; the medians over reps are printed as JSON.
 * Claims are made up from a fixed Russian and English vocabulary (seeded), 20–30 words each.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { similarClaims, terms, type SimilarCandidate } from '../src/domain/similarity.js';

const RU = 'чайник протекает вода стол лужа дно шов нагревается выключается кнопка крышка ручка запах пластик трещина курьер опоздал коробка помята доставка тостер сжигает хлеб режим шнур искрит розетка гарантия замена возврат деньги магазин заказ упаковка сломан перестал работать через неделю после покупки'.split(' ');
const EN = 'kettle leaks water table puddle bottom seam heats switches button lid handle smell plastic crack courier late box dented delivery toaster burns bread setting cord sparks socket warranty replacement refund money shop order package broken stopped working after week purchase'.split(' ');
const PRODUCTS = ['Чайник КТ-200', 'Kettle KT-300', 'Тостер Т-1', 'Toaster TS-2', 'Iron IR-3', 'Утюг У-5', undefined];

/** A seeded pseudo-random generator (mulberry32): the same claims every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` made-up claims (half Russian, half English), as the store would read them. */
export function madeUpClaims(count: number, seed = 7): SimilarCandidate[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return Array.from({ length: count }, (_unused, i) => {
    const words = i % 2 === 0 ? RU : EN;
    const description = Array.from({ length: 20 + Math.floor(next() * 10) }, () => pick(words)).join(' ');
    const product = pick(PRODUCTS);
    return { id: `c${i}`, number: `2026-${String(i + 1).padStart(6, '0')}`, status: 'resolved', createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000), department: 'quality', description, ...(product ? { product } : {}) };
  });
}

export interface SimilarBenchResult {
  readonly claims: number;
  readonly searches: number;
  readonly reps: number;
  /** Median over reps of the average milliseconds a search took. */
  readonly msPerSearch: number;
  /** The share of a search spent making the candidates' terms (the rest: weights and cosines). */
  readonly termsShare: number;
  /** Median over reps of the words tokenised and stemmed per millisecond, for comparison across machines. */
  readonly termsPerMs: number;
  readonly heapMb: number;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Runs the similar-claims search benchmark (pure: no database). */
export function runSimilarBench(options: { claims: number; searches: number; reps: number }): SimilarBenchResult {
  const claims = madeUpClaims(options.claims);
  const queries = madeUpClaims(options.searches, 99);
  const desk = { products: [] };
  const searches: number[] = [];
  const rates: number[] = [];
  const shares: number[] = [];
  const termCount = claims.reduce((total, claim) => total + claim.description.split(' ').length, 0);
  for (let left = options.reps; left > 0; left--) {
    let started = performance.now();
    for (const query of queries) similarClaims(query, claims, desk, { top: 5, threshold: 0.2 });
    const perSearch = (performance.now() - started) / queries.length;
    searches.push(perSearch);
    started = performance.now();
    for (const claim of claims) terms(claim.description);
    const termsMs = performance.now() - started;
    rates.push(termCount / termsMs);
    shares.push(Math.min(1, termsMs / perSearch));
  }
  return {
    claims: options.claims,
    searches: options.searches,
    reps: options.reps,
    msPerSearch: median(searches),
    termsShare: median(shares),
    termsPerMs: median(rates),
    heapMb: Math.round(process.memoryUsage().heapUsed / 1_048_576),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { claims: { type: 'string', default: '5000' }, searches: { type: 'string', default: '20' }, reps: { type: 'string', default: '5' } } });
  console.log(JSON.stringify(runSimilarBench({ claims: Number(values.claims), searches: Number(values.searches), reps: Number(values.reps) }), null, 2));
}
