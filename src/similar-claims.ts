import type { CorrectiveAction } from './domain/capa.js';
import type { DeskConfig } from './domain/desk.js';
import type { Claim } from './domain/lifecycle.js';
import { similarClaims, type SimilarCandidate, type SimilarMatch } from './domain/similarity.js';
import type { ActionStore } from './store/corrective-actions.js';

const DAY_MS = 86_400_000;

/** A similar claim and the actions (not cancelled) it is linked to: the CAPA a later claim may join. */
export interface SimilarFinding extends SimilarMatch {
  readonly actions: readonly Pick<CorrectiveAction, 'number' | 'kind' | 'status' | 'description'>[];
}

export interface SimilarClaimsOptions {
  readonly desk: Pick<DeskConfig, 'products' | 'analysis'>;
  /** The earlier claims of a category in a time range (AnalysisQueries.similarCandidates). */
  readonly candidates: (category: string, since: Date, before: Date, excludeId?: string) => Promise<SimilarCandidate[]>;
  readonly actions: Pick<ActionStore, 'list'>;
}

/**
 * "Were there similar problems before?" (#24): the claims of the same category registered in the
 * `analysis.similarDays` before a claim, scored by the domain (src/domain/similarity.ts: product
 * and TF-IDF of the stemmed description), the best `analysis.similarTop` above
 * `analysis.similarThreshold`, each with the actions it is linked to.
 * @example const found = await similar.forClaim(claim); found[0]?.claim.number
 */
export class SimilarClaims {
  constructor(private readonly options: SimilarClaimsOptions) {}

  async forClaim(claim: Pick<Claim, 'id' | 'category' | 'createdAt' | 'description' | 'concerns'>): Promise<SimilarFinding[]> {
    const { desk } = this.options;
    const since = new Date(claim.createdAt.getTime() - desk.analysis.similarDays * DAY_MS);
    const candidates = await this.options.candidates(claim.category, since, claim.createdAt, claim.id);
    const matches = similarClaims(
      { id: claim.id, description: claim.description, ...(claim.concerns.product !== undefined ? { product: claim.concerns.product } : {}) },
      candidates,
      desk,
      { top: desk.analysis.similarTop, threshold: desk.analysis.similarThreshold },
    );
    return Promise.all(
      matches.map(async (match) => {
        const { actions } = await this.options.actions.list({ claimId: match.claim.id }, { skip: 0, limit: 20 });
        return { ...match, actions: actions.filter((action) => action.status !== 'cancelled').map(({ number, kind, status, description }) => ({ number, kind, status, description })) };
      }),
    );
  }
}
