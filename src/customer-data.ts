import { createHash, randomUUID } from 'node:crypto';
import type { AuditChannel, AuditRecorder } from './domain/audit.js';
import type { Channel, CustomerIdentity } from './domain/claim.js';
import { retentionOf, type DeskConfig, type StaffMember } from './domain/desk.js';
import { customerTraits, erasedClaim, erasureDecision, ERASED_ID_PREFIX, retentionCutoff, retentionDue, type CustomerLookup, type CustomerTraits } from './domain/erasure.js';
import type { Claim } from './domain/lifecycle.js';
import { canDo, type StaffPermission } from './domain/staff.js';
import type { CustomerDataStore, DataRequest, ErasureRecord } from './store/customer-data.js';
import type { TranscriptEntry } from './web-chat-ports.js';

/** The claim reads and the erased form's write (the ClaimRepository). */
export interface ErasureClaimsPort {
  findById(id: string): Promise<Claim | undefined>;
  writeErased(claim: Claim, erased: Claim): Promise<boolean>;
}

/** The web chat's stores, as the export and the erasure need them. */
export interface ErasureWebChatPort {
  transcriptOf(visitorId: string): Promise<TranscriptEntry[]>;
  forget(visitorId: string): Promise<void>;
}
export interface ErasureFilesPort {
  listOwnedBy(ownerId: string): Promise<{ readonly id: string; readonly name: string | undefined; readonly mimeType: string; readonly size: number; readonly uploadedAt: Date }[]>;
  deleteOwnedBy(ownerIds: readonly string[]): Promise<number>;
}

/** What a data request tells staff: its id and channel (never who). */
export interface DataRequestNotice {
  readonly id: string;
  readonly channel: Channel;
}

export interface CustomerDataOptions {
  readonly desk: DeskConfig;
  readonly store: CustomerDataStore;
  readonly claims: ErasureClaimsPort;
  readonly webChat: ErasureWebChatPort;
  readonly files: ErasureFilesPort;
  readonly audit: AuditRecorder;
  /** Rewrites a claim's Slack card and messages to the erased form; undefined while Slack is off. */
  readonly slack?: () => ((claimId: string) => Promise<void>) | undefined;
  readonly now?: () => Date;
}

/** A customer as staff found them: their claims and what names them (for the erasure). */
export interface FoundCustomer {
  readonly claims: readonly Claim[];
  readonly traits: CustomerTraits;
}

/** The customer's data export: everything the desk holds about them, as one JSON document. */
export interface CustomerExport {
  readonly format: 'claimdesk.customer-data/1';
  readonly exportedAt: Date;
  readonly claims: readonly Claim[];
  readonly consents: readonly Record<string, unknown>[];
  readonly surveys: readonly { readonly claimNumber: string; readonly score?: number; readonly comment?: string; readonly answeredAt?: Date }[];
  readonly conversations: readonly Record<string, unknown>[];
  readonly webChats: readonly { readonly visitorId: string; readonly transcript: readonly TranscriptEntry[]; readonly uploads: readonly unknown[] }[];
  readonly dataRequests: readonly DataRequest[];
}

/** What an erasure answered: done (how many claims), refused (open claims), or nobody found. */
export type ErasureOutcome =
  | { readonly kind: 'erased'; readonly erasureId: string; readonly claims: number; readonly forced: boolean }
  | { readonly kind: 'open_claims'; readonly openNumbers: readonly string[] }
  | { readonly kind: 'not_found' };

/** Refused for want of a right (`customer_data`). */
export class CustomerDataRefusal extends Error {
  override readonly name = 'CustomerDataRefusal';
  constructor(readonly permission: Exclude<StaffPermission, { allowed: true }>) {
    super('not allowed');
  }
}

/** The most claims one customer's export or erasure covers. */
const CUSTOMER_CLAIMS_MAX = 500;
/** How many claims the retention job looks at per batch, and the most batches of one run. */
const RETENTION_BATCH = 100;
const RETENTION_ROUNDS = 50;

/**
 * The customer's rights (#26): staff with `customer_data` (quality, heads) find one customer,
 * export everything the desk holds about them, and erase their personal data (refused while a
 * claim is open unless a head forces it); the daily retention erases closed claims past the
 * desk's period; customers ask for their data with `/mydata`. Every export, erasure and request
 * is on the audit trail (ids and counts only). An erasure is recorded before it runs and each of
 * its steps is idempotent, so a rerun after a crash ({@link CustomerDataDesk.resume}) finishes it.
 * @example const outcome = await desk.erase(head, { kind: 'phone', phone: '+79123456789' }, { reason: 'asked by letter', force: false });
 */
export class CustomerDataDesk {
  private readonly now: () => Date;

  constructor(private readonly options: CustomerDataOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Throws {@link CustomerDataRefusal} unless the member has `customer_data`. */
  allowed(member: StaffMember | undefined): StaffMember {
    const permission = canDo(member, 'customer_data');
    if (!permission.allowed || !member) throw new CustomerDataRefusal(permission.allowed ? { allowed: false, reason: 'not_staff' } : permission);
    return member;
  }

  /** The customer a lookup names: the claims found, then every claim sharing an identity, phone or e-mail with them. */
  async find(member: StaffMember | undefined, lookup: CustomerLookup): Promise<FoundCustomer> {
    this.allowed(member);
    return this.resolve(lookup);
  }

  private async resolve(lookup: CustomerLookup): Promise<FoundCustomer> {
    const { store } = this.options;
    const direct = await store.claimsFor(lookup, CUSTOMER_CLAIMS_MAX);
    const first = customerTraits(direct, lookup);
    const related = await store.claimsMatching(first, CUSTOMER_CLAIMS_MAX);
    const byId = new Map<string, Claim>();
    for (const claim of [...direct, ...related]) byId.set(claim.id, claim);
    const claims = [...byId.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return { claims, traits: customerTraits(claims, lookup) };
  }

  /** Everything the desk holds about the customer, audited as `customer_data_exported`. */
  async exportData(member: StaffMember | undefined, lookup: CustomerLookup, channel: AuditChannel = 'console'): Promise<CustomerExport | undefined> {
    const staff = this.allowed(member);
    const { claims, traits } = await this.resolve(lookup);
    const { store, webChat, files } = this.options;
    const visitors = traits.chats.filter((chat) => chat.channel === 'web').map((chat) => chat.chatId);
    const conversations = await store.conversationsOf(traits.chats);
    if (claims.length === 0 && conversations.length === 0 && visitors.length === 0) return undefined;
    const webChats = [];
    for (const visitorId of visitors) {
      const transcript = await webChat.transcriptOf(visitorId);
      const uploads = await files.listOwnedBy(visitorId);
      if (transcript.length > 0 || uploads.length > 0) webChats.push({ visitorId, transcript, uploads });
    }
    if (claims.length === 0 && conversations.length === 0 && webChats.length === 0) return undefined;
    const requests = (await store.openRequests(1000)).filter((request) => traits.identities.some((identity) => sameIdentity(identity, request.customer)));
    const exportId = randomUUID();
    await this.options.audit.record({ at: this.now(), kind: 'customer_data_exported', channel, staffId: staff.id, customerKey: exportId, count: claims.length });
    return {
      format: 'claimdesk.customer-data/1',
      exportedAt: this.now(),
      claims,
      consents: claims.flatMap((claim) => (claim.consent ? [{ claimNumber: claim.number, ...claim.consent }] : [])),
      surveys: claims.flatMap((claim) =>
        claim.survey && (claim.survey.score !== undefined || claim.survey.comment !== undefined)
          ? [{ claimNumber: claim.number, ...(claim.survey.score !== undefined ? { score: claim.survey.score } : {}), ...(claim.survey.comment !== undefined ? { comment: claim.survey.comment } : {}), ...(claim.survey.answeredAt ? { answeredAt: claim.survey.answeredAt } : {}) }]
          : [],
      ),
      conversations,
      webChats,
      dataRequests: requests,
    };
  }

  /**
   * Erases the customer a lookup names, with staff's reason: refused while a claim is open unless
   * `force` by a head (audited as forced). Recorded (audit and `erasures`) before it runs.
   */
  async erase(member: StaffMember | undefined, lookup: CustomerLookup, request: { readonly reason: string; readonly force: boolean }): Promise<ErasureOutcome> {
    const staff = this.allowed(member);
    await this.resume();
    const { claims, traits } = await this.resolve(lookup);
    if (claims.every((claim) => claim.erasedAt !== undefined) && traits.chats.length === 0) return { kind: 'not_found' };
    const decision = erasureDecision(claims, staff, request.force);
    if ('refused' in decision) return { kind: 'open_claims', openNumbers: decision.openNumbers };
    const at = this.now();
    const record = await this.options.store.beginErasure({
      at,
      kind: decision.forced ? 'forced' : 'manual',
      staffId: staff.id,
      reason: request.reason,
      claimIds: claims.map((claim) => claim.id),
      pseudonym: `${ERASED_ID_PREFIX}${randomUUID()}`,
      chats: traits.chats,
      identities: traits.identities,
    });
    await this.options.audit.record({ at, kind: 'customer_erased', channel: 'console', staffId: staff.id, customerKey: record.id, count: claims.length, ...(decision.forced ? { forced: true } : {}) });
    await this.run(record);
    return { kind: 'erased', erasureId: record.id, claims: claims.length, forced: decision.forced };
  }

  /** Finishes the erasures a crash (or a Slack outage) left unfinished; returns how many. */
  async resume(): Promise<number> {
    const running = await this.options.store.runningErasures();
    for (const record of running) await this.run(record);
    return running.length;
  }

  /**
   * The retention (#26): erases the personal data of claims closed before the desk's
   * `privacy.retention.closedClaimsDays`, in batches, one erasure per customer of a batch; the
   * customer's chats go too once no claim of theirs keeps personal data. Idempotent (erased claims
   * are not looked at again); resumes unfinished erasures first. Returns the counts.
   */
  async eraseByRetention(): Promise<{ readonly claims: number; readonly erasures: number }> {
    await this.resume();
    const { store, claims: claimStore } = this.options;
    const cutoff = retentionCutoff(this.now(), retentionOf(this.options.desk).closedClaimsDays);
    let erasedClaims = 0;
    let erasures = 0;
    for (let round = 0; round < RETENTION_ROUNDS; round++) {
      const ids = await store.closedBefore(cutoff, RETENTION_BATCH);
      if (ids.length === 0) break;
      const groups = new Map<string, Claim[]>();
      for (const id of ids) {
        const claim = await claimStore.findById(id);
        if (!claim || !retentionDue(claim, cutoff)) continue;
        const key = `${claim.customer.channel}:${claim.customer.teamId ?? ''}:${claim.customer.userId}`;
        groups.set(key, [...(groups.get(key) ?? []), claim]);
      }
      if (groups.size === 0) break;
      for (const claims of groups.values()) {
        const [first] = claims;
        if (!first) continue;
        const claimIds = claims.map((claim) => claim.id);
        const keepsChats = await store.hasLiveClaimsBesides(first.customer, claimIds);
        const traits = customerTraits(claims);
        const at = this.now();
        const record = await store.beginErasure({
          at,
          kind: 'retention',
          claimIds,
          pseudonym: `${ERASED_ID_PREFIX}${randomUUID()}`,
          chats: keepsChats ? [] : traits.chats,
          identities: keepsChats ? [] : traits.identities,
        });
        await this.run(record);
        erasedClaims += claims.length;
        erasures++;
      }
    }
    if (erasedClaims > 0) await this.options.audit.record({ at: this.now(), kind: 'retention_erased', channel: 'jobs', count: erasedClaims });
    return { claims: erasedClaims, erasures };
  }

  /** Carries out an erasure's steps, each idempotent, then marks it done. */
  private async run(record: ErasureRecord): Promise<void> {
    const { store, claims, webChat, files } = this.options;
    for (const claimId of record.claimIds) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const claim = await claims.findById(claimId);
        if (!claim || claim.erasedAt !== undefined) break;
        if (await claims.writeErased(claim, erasedClaim(claim, record.pseudonym, this.now()))) break;
      }
    }
    const chats = record.chats ?? [];
    const identities = record.identities ?? [];
    await store.forgetChats(chats);
    const visitors = chats.filter((chat) => chat.channel === 'web').map((chat) => chat.chatId);
    for (const visitorId of visitors) await webChat.forget(visitorId);
    await files.deleteOwnedBy(visitors);
    await store.forgetSubmissions(record.claimIds);
    await store.forgetStaffActionUsers(identities);
    await store.forgetDataRequests(identities);
    const slack = this.options.slack?.();
    if (slack) for (const claimId of record.claimIds) await slack(claimId);
    await store.finishErasure(record.id, this.now());
  }

  // ---------------------------------------------------------------- data requests (/mydata)

  /**
   * Registers a customer's request for their data (once per inbound update: its id is derived
   * from the chat and the update), audited as `data_requested`. Staff are told by the request
   * sweep ({@link CustomerDataDesk.tellStaff}) and see open requests in the console.
   */
  async registerRequest(customer: CustomerIdentity, chatId: string, updateId: string): Promise<DataRequest> {
    const id = `R-${createHash('sha256').update(`${customer.channel}:${chatId}:${updateId}`).digest('hex').slice(0, 10)}`;
    const at = this.now();
    const request = await this.options.store.registerRequest({ id, at, customer, chatId });
    await this.options.audit.record({ at, kind: 'data_requested', channel: customer.channel === 'web' ? 'web' : customer.channel === 'telegram' ? 'telegram' : 'slack', customerKey: id });
    return request;
  }

  /** Tells staff of the requests not told yet (`tell` answers whether anybody could be told); returns how many. */
  async tellStaff(tell: (notice: DataRequestNotice) => Promise<boolean>): Promise<number> {
    let told = 0;
    for (const request of await this.options.store.untoldRequests()) {
      if (!(await tell({ id: request.id, channel: request.customer.channel }))) break;
      await this.options.store.markTold(request.id, this.now());
      told++;
    }
    return told;
  }

  /** The open data requests (the console's list): ids, times and channels. */
  async openRequests(member: StaffMember | undefined): Promise<DataRequest[]> {
    this.allowed(member);
    return this.options.store.openRequests();
  }
}

function sameIdentity(a: CustomerIdentity, b: CustomerIdentity): boolean {
  return a.channel === b.channel && a.userId === b.userId;
}
