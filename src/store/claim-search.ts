import type { Collection, Db, Filter } from 'mongodb';
import type { Claim } from '../domain/lifecycle.js';
import type { SearchQuery } from '../domain/search.js';
import { COLLECTIONS } from './collections.js';
import { toClaim, type ClaimDocument } from './claims.js';

/** Who searches: the departments whose claims' personal data (name, phone, e-mail) they may see. */
export interface SearchScope {
  readonly personalDataDepartments: readonly string[];
}

/** The most claims one search answers. */
export const SEARCH_LIMIT_MAX = 100;

/**
 * A word as a pattern that matches it anywhere in a field, whatever the case (and `е` for `ё`),
 * spelled out as character classes rather than the `i` flag: MongoDB and the local server agree on
 * classes, not on case folding outside ASCII.
 * @example wordPattern('ёж') // /[еёЕЁ][жЖ]/
 */
export function wordPattern(word: string): RegExp {
  let source = '';
  for (const char of word) {
    if (char === 'е' || char === 'ё') source += '[еёЕЁ]';
    else if (char.toLowerCase() !== char.toUpperCase()) source += `[${char.toLowerCase()}${char.toUpperCase()}]`;
    else source += char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(source);
}

/**
 * The console's search (#25) over the claims, without `$text` (the database compatibility rule):
 * a claim number by the unique index; a phone or an e-mail by equality on the stored, normalised
 * contact (indexed); words by pattern over the name, the product and the description, newest claims
 * first by the `by_created` index, stopping at the limit (a bounded scan: bench/search.ts). The
 * personal fields — phone, e-mail, name — match only claims of the departments in `scope`.
 * @example await search.find({ kind: 'phone', phone: '+79123456789' }, { personalDataDepartments: ['support'] }, 20)
 */
export class ClaimSearch {
  private readonly claims: Collection<ClaimDocument>;

  constructor(db: Db) {
    this.claims = db.collection<ClaimDocument>(COLLECTIONS.claims);
  }

  /** Up to `limit` claims, newest first, and whether there are more. */
  async find(query: SearchQuery, scope: SearchScope, limit: number): Promise<{ readonly claims: Claim[]; readonly more: boolean }> {
    const filter = searchFilter(query, scope);
    if (!filter) return { claims: [], more: false };
    const docs = await this.claims
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(Math.min(limit, SEARCH_LIMIT_MAX) + 1)
      .toArray();
    return { claims: docs.slice(0, limit).map(toClaim), more: docs.length > limit };
  }
}

/** The filter of a search, or undefined when it can match nothing for this scope (a phone searched by someone who may see no phones). */
export function searchFilter(query: SearchQuery, scope: SearchScope): Filter<ClaimDocument> | undefined {
  const personal = scope.personalDataDepartments.length > 0 ? { department: { $in: [...scope.personalDataDepartments] } } : undefined;
  switch (query.kind) {
    case 'number':
      return { number: query.number };
    case 'phone':
      return personal && { 'contact.phone': query.phone, ...personal };
    case 'email':
      return personal && { 'contact.email': query.email, ...personal };
    case 'words':
      return {
        $and: query.words.map((word) => {
          const pattern = wordPattern(word);
          return { $or: [{ 'concerns.product': pattern }, { description: pattern }, ...(personal ? [{ 'contact.name': pattern, ...personal }] : [])] };
        }),
      };
  }
}
