import englishStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import russianStemmer from 'natural/lib/natural/stemmers/porter_stemmer_ru.js';
import englishStopwords from 'natural/lib/natural/util/stopwords.js';
import russianStopwords from 'natural/lib/natural/util/stopwords_ru.js';
import type { DeskConfig, StaffMember } from './desk.js';
import type { ClaimStatus } from './lifecycle.js';
import { seesPersonalData } from './personal-data.js';
import { productGroup } from './products.js';

/**
 * Similar claims (#24, DOMAIN.md "Analysis": "were there similar problems before?"): the earlier
 * claims of the same category most like a claim, by product and by the words of the description.
 *
 * The words: lower-cased (ё as е), split at anything that is not a letter or digit, Russian and
 * English stop words dropped, Cyrillic words stemmed by natural's Porter stemmer for Russian,
 * Latin ones by Porter's English stemmer; tokens with digits ("kt200") stay as they are.
 *
 * The score of an earlier claim d for the claim q, over the corpus D = the candidates and q (N documents):
 * - idf(t) = ln((1 + N) / (1 + df(t))) + 1, df(t) the documents of D holding the term t;
 * - w(t, d) = (1 + ln tf(t, d)) · idf(t), tf(t, d) how often t is in d (0 when it is not);
 * - text(q, d) = cosine of w(·, q) and w(·, d) (0–1; 0 when either has no terms);
 * - product(q, d) = 1 when both name a product of the same group (src/domain/products.ts), else 0;
 * - score(q, d) = {@link PRODUCT_WEIGHT} · product(q, d) + (1 − {@link PRODUCT_WEIGHT}) · text(q, d).
 * The claims scoring at least the threshold are kept, best first (ties: the newer first), at most `top`.
 * Pure: the store reads the candidates (no text index: README, database compatibility rule).
 */

/** How much naming the same product counts, against the words (the rest). */
export const PRODUCT_WEIGHT = 0.3;

const STOPWORDS = new Set<string>([...englishStopwords.words, ...russianStopwords.words].map((word) => word.toLowerCase().replace(/ё/g, 'е')));
const CYRILLIC = /^[\p{Script=Cyrillic}]+$/u;
const LATIN = /^[\p{Script=Latin}]+$/u;

/** Stems already computed (words repeat a lot across claims); cleared when it grows past its size. */
const stems = new Map<string, string>();
const STEM_CACHE_MAX = 100_000;

function stem(word: string): string {
  const known = stems.get(word);
  if (known !== undefined) return known;
  const stemmed = CYRILLIC.test(word) ? russianStemmer.stem(word) : LATIN.test(word) ? englishStemmer.stem(word) : word;
  if (stems.size >= STEM_CACHE_MAX) stems.clear();
  stems.set(word, stemmed);
  return stemmed;
}

/**
 * The terms of a text: words folded, stop words dropped, stemmed (see above); single letters dropped.
 * @example terms('Чайник протекает, чайники текут') // ['чайник', 'протека', 'чайник', 'текут']
 */
export function terms(text: string): string[] {
  const words = text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').split(/[^\p{L}\p{N}]+/u);
  const found: string[] = [];
  for (const word of words) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    const stemmed = stem(word);
    if (stemmed.length > 0) found.push(stemmed);
  }
  return found;
}

/** An earlier claim the search may return, as the store reads it. */
export interface SimilarCandidate {
  readonly id: string;
  readonly number: string;
  readonly status: ClaimStatus;
  readonly createdAt: Date;
  readonly department: string;
  readonly product?: string;
  readonly description: string;
  readonly causeCategory?: string;
  readonly rootCause?: string;
}

/** The claim whose neighbours are looked for. */
export interface SimilarQuery {
  readonly id?: string;
  readonly product?: string;
  readonly description: string;
}

/** A similar claim, with its score and what it is made of. */
export interface SimilarMatch {
  readonly claim: SimilarCandidate;
  /** 0–1, see the module's formula. */
  readonly score: number;
  /** The cosine of the descriptions' weighted terms (0–1). */
  readonly text: number;
  readonly sameProduct: boolean;
}

/** How many similar claims are kept and the lowest score kept. */
export interface SimilarOptions {
  readonly top: number;
  readonly threshold: number;
}

function termCounts(list: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** The weighted vector of a document and its length. */
function weighted(counts: ReadonlyMap<string, number>, idf: (term: string) => number): { weights: Map<string, number>; norm: number } {
  const weights = new Map<string, number>();
  let squares = 0;
  for (const [term, tf] of counts) {
    const weight = (1 + Math.log(tf)) * idf(term);
    weights.set(term, weight);
    squares += weight * weight;
  }
  return { weights, norm: Math.sqrt(squares) };
}

/**
 * The candidates most similar to a claim (the claim itself left out), scored as the module says.
 * @example similarClaims({ product: 'Kettle KT-200', description: 'The kettle leaks' }, candidates, desk, { top: 5, threshold: 0.2 })
 */
export function similarClaims(query: SimilarQuery, candidates: readonly SimilarCandidate[], desk: Pick<DeskConfig, 'products'>, options: SimilarOptions): SimilarMatch[] {
  const others = candidates.filter((candidate) => candidate.id !== query.id);
  const queryCounts = termCounts(terms(query.description));
  const documents = others.map((candidate) => termCounts(terms(candidate.description)));
  const df = new Map<string, number>();
  for (const counts of [queryCounts, ...documents]) for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = documents.length + 1;
  const idf = (term: string) => Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1;
  const q = weighted(queryCounts, idf);
  const product = productGroup(desk, query.product);
  const matches: SimilarMatch[] = [];
  others.forEach((claim, index) => {
    const counts = documents[index] as Map<string, number>;
    let text = 0;
    if (q.norm > 0) {
      const d = weighted(counts, idf);
      let dot = 0;
      for (const [term, weight] of q.weights) dot += weight * (d.weights.get(term) ?? 0);
      text = d.norm > 0 ? Math.min(1, dot / (q.norm * d.norm)) : 0;
    }
    const sameProduct = product !== undefined && productGroup(desk, claim.product) === product;
    const score = PRODUCT_WEIGHT * (sameProduct ? 1 : 0) + (1 - PRODUCT_WEIGHT) * text;
    if (score >= options.threshold) matches.push({ claim, score, text, sameProduct });
  });
  return matches.sort((a, b) => b.score - a.score || b.claim.createdAt.getTime() - a.claim.createdAt.getTime()).slice(0, options.top);
}

/**
 * A similar claim as one viewer may see it: its description only for a viewer who may see the
 * claim's personal data (`view_personal_data` in its department; a description may hold names
 * and addresses), none for an unknown viewer (a Slack channel).
 * @example similarForViewer(operator, match).description // undefined for another department's claim
 */
export function similarForViewer(member: StaffMember | undefined, match: SimilarMatch): Omit<SimilarCandidate, 'description' | 'product'> & { readonly description?: string; readonly product?: string; readonly score: number; readonly sameProduct: boolean } {
  const { description, ...claim } = match.claim;
  return { ...claim, ...(member !== undefined && seesPersonalData(member, match.claim) ? { description } : {}), score: match.score, sameProduct: match.sameProduct };
}
