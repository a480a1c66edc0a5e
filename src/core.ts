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
import { WebChatStore } from './store/web-chat.js';
import { FileStore, REPLY_FILES_BUCKET } from './store/files.js';
import { AuditLog } from './store/audit.js';
import { CustomerDataDesk } from './customer-data.js';
import { CustomerDataStore } from './store/customer-data.js';
import { StaffNoticeStore } from './store/staff-notices.js';
import { ConsoleNotices } from './jobs/staff-notices.js';

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
  /** The web chat's visitors and transcripts, and the customers' uploads. */
  readonly webChat: WebChatStore;
  readonly uploads: FileStore;
  /** The files staff send with replies from the console (#25; the `reply_files` bucket). */
  readonly replyFiles: FileStore;
  /** The audit trail (#26). */
  readonly auditLog: AuditLog;
  /** The customer's rights (#26): export, erasure, retention, `/mydata` requests. */
  readonly customers: CustomerDataDesk;
  /** The console's notifications (#25): every alert reaches the console, with or without Slack. */
  readonly staffNotices: StaffNoticeStore;
  readonly consoleNotices: ConsoleNotices;
}

export interface CoreOptions {
  /** The clock every rule reads (tests move it by hand). */
  readonly now?: () => Date;
  /** Senders of replies per channel known at once (tests pass fakes; adapters add theirs later). */
  readonly senders?: Partial<Record<Channel, MessageSender>>;
  readonly logger?: RunnerLogger;
  /** Told about every update the runner takes up (the app's metrics). */
  readonly observer?: RunnerObserver;
  /** Where customers' `/mydata` requests are registered (#26); see `takeDataRequests`. */
  readonly dataRequests?: DataRequestPort;
  /** The core's customer-data desk registers `/mydata` requests (the app); without either, the dialog says the desk takes none here. */
  readonly takeDataRequests?: boolean;
  /** Rewrites a claim's Slack posts after an erasure, once Slack runs (#26). */
  readonly slackEraser?: () => ((claimId: string) => Promise<void>) | undefined;
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
  const webChat = new WebChatStore(db);
  const uploads = new FileStore(db);
  const replyFiles = new FileStore(db, REPLY_FILES_BUCKET);
  const auditLog = new AuditLog(db);
  const customers = new CustomerDataDesk({ desk, store: new CustomerDataStore(db), claims: repository, webChat, files: uploads, audit: auditLog, ...(options.slackEraser ? { slack: options.slackEraser } : {}), ...(options.now ? { now: options.now } : {}) });
  const dataRequests: DataRequestPort | undefined = options.dataRequests ?? (options.takeDataRequests ? { register: (customer, chatId, updateId) => customers.registerRequest(customer, chatId, updateId) } : undefined);
  const conversations = new ConversationRunner({
    desk,
    store: conversationStore,
    claims,
    senders: options.senders ?? {},
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(dataRequests ? { dataRequests } : {}),
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
  const staffNotices = new StaffNoticeStore(db);
  const consoleNotices = new ConsoleNotices(desk, { notices: staffNotices, claims: repository });
  return { db, desk, repository, registry, claims, conversationStore, conversations, staff, capa, actions, analysis, similar, webChat, uploads, replyFiles, auditLog, customers, staffNotices, consoleNotices };
}
