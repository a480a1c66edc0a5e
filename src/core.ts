import type { Db } from 'mongodb';
import type { Channel } from './domain/claim.js';
import type { DeskConfig } from './domain/desk.js';
import { ClaimRepository } from './store/claims.js';
import { ClaimRegistry, deskClaims, type DeskClaims } from './registry.js';
import { MongoConversationStore } from './store/conversations.js';
import { StaffActionLog } from './store/staff-actions.js';
import { StaffDesk } from './staff-desk.js';
import { ConversationRunner, type DataRequestPort, type MessageSender, type RunnerLogger, type RunnerObserver } from '../flows/runner.js';
import { DeadLetterStore } from './store/dead-letters.js';
import { failureOf } from './failures.js';
import { CorrectiveActionStore } from './store/corrective-actions.js';
import { AnalysisQueries } from './store/analysis.js';
import { SimilarClaims } from './similar-claims.js';
import { CapaDesk } from './capa-desk.js';

/** The desk's core: the claim registry, the conversations and the staff desk, on one database. */
export interface Core {
  readonly db: Db;
  readonly desk: DeskConfig;
  readonly repository: ClaimRepository;
  /** The only place claim changes are planned (and listened to: `registry.onChange`). */
  readonly registry: ClaimRegistry;
  /** The ports flows, jobs and adapters use: the store's reads beside the registry's changes. */
  readonly claims: DeskClaims;
  readonly conversationStore: MongoConversationStore;
  readonly conversations: ConversationRunner;
  readonly staff: StaffDesk;
  /** Corrective and preventive actions, and their store (for the sweeps). */
  readonly capa: CapaDesk;
  readonly actions: CorrectiveActionStore;
  /** The analysis (#24): the CAPA effectiveness and the similar claims. */
  readonly analysis: AnalysisQueries;
  readonly similar: SimilarClaims;
}

export interface CoreOptions {
  /** The clock every rule reads (tests move it by hand). */
  readonly now?: () => Date;
  /** Senders of replies per channel known at once (tests pass fakes; adapters add theirs later). */
  readonly senders?: Partial<Record<Channel, MessageSender>>;
  readonly logger?: RunnerLogger;
  /** Told about every update the runner takes up (the app's metrics). */
  readonly observer?: RunnerObserver;
  /** Where customers' `/mydata` requests are registered (#26). */
  readonly dataRequests?: DataRequestPort;
}

/**
 * Builds the core once, the same way for `npm start` (src/main.ts) and for the tests' harnesses.
 * @example const core = createCore(db, desk); await core.conversations.handle(update);
 */
export function createCore(db: Db, desk: DeskConfig, options: CoreOptions = {}): Core {
  const repository = new ClaimRepository(db, options.now ? { now: options.now } : {});
  const registry = new ClaimRegistry(desk, repository, options.now);
  const claims = deskClaims(registry, repository);
  const conversationStore = new MongoConversationStore(db);
  const conversations = new ConversationRunner({
    desk,
    store: conversationStore,
    claims,
    senders: options.senders ?? {},
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.dataRequests ? { dataRequests: options.dataRequests } : {}),
    // the failure policy: retry what can succeed, set aside what cannot (src/failures.ts)
    classify: failureOf,
    deadLetters: new DeadLetterStore(db),
  });
  const audit = new StaffActionLog(db);
  const actions = new CorrectiveActionStore(db);
  // the decision's {measures}: the kinds of the corrective actions linked to the claim
  const measures = async (claimId: string) => (await actions.list({ claimId }, { skip: 0, limit: 50 })).actions.filter((action) => action.status !== 'cancelled').map((action) => action.kind);
  const staff = new StaffDesk(desk, claims, audit, options.now, measures);
  const capa = new CapaDesk({ desk, store: actions, claims, identify: (who) => staff.identify(who), audit, policy: desk.capa, ...(options.now ? { now: options.now } : {}) });
  const analysis = new AnalysisQueries(db, desk);
  const similar = new SimilarClaims({ desk, candidates: (...args) => analysis.similarCandidates(...args), actions });
  return { db, desk, repository, registry, claims, conversationStore, conversations, staff, capa, actions, analysis, similar };
}
