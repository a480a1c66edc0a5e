import { z } from 'zod';
import { Channel, type CustomerIdentity } from './claim.js';
import { Email, normalisePhone } from './contact.js';
import { OPEN_STATUSES, type Claim, type ClaimEvent } from './lifecycle.js';
import { hasRight } from './staff.js';
import type { StaffMember } from './desk.js';
import { formatPath } from './zod-issues.js';
import { parseClaimNumber } from './numbering.js';

/**
 * The customer's rights over their data (#26): finding one customer, what an erasure keeps and
 * what it replaces by a tombstone, when an erasure is refused, and when retention is up. Pure.
 */

/** What replaces erased text: the same in every language (the desk's reports show it as it is). */
export const ERASED = '[erased]';

/** The prefix of the pseudonym an erased customer's channel identity becomes. */
export const ERASED_ID_PREFIX = 'erased:';

// ---------------------------------------------------------------- finding a customer

/** How staff name the customer: a claim number, a phone, an e-mail, or a channel identity. */
export const CUSTOMER_LOOKUP_KINDS = ['number', 'phone', 'email', 'telegram', 'slack', 'web'] as const;
export type CustomerLookupKind = (typeof CUSTOMER_LOOKUP_KINDS)[number];

/** A customer lookup, normalised (a phone as E.164, an e-mail lower-cased). */
export type CustomerLookup =
  | { readonly kind: 'number'; readonly number: string }
  | { readonly kind: 'phone'; readonly phone: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'identity'; readonly identity: CustomerIdentity };

const LookupParams = z
  .object({
    by: z.enum(CUSTOMER_LOOKUP_KINDS, `expected one of ${CUSTOMER_LOOKUP_KINDS.join(', ')}`),
    value: z.string().trim().min(1, 'expected what to look for').max(254, 'expected at most 254 characters'),
  })
  .strict();

/**
 * Reads a lookup as staff type it (`by`, `value`): a claim number in any canonical form, a phone
 * in any typed form (`8 (912) 345-67-89`), an e-mail, a Telegram chat/user id (digits), a Slack user
 * id (`U…`, optionally `T…/U…` with the workspace), a web-chat visitor id. Never throws.
 * @example parseCustomerLookup({ by: 'phone', value: '8 912 345 67 89' }) // { ok: true, lookup: { kind: 'phone', phone: '+79123456789' } }
 */
export function parseCustomerLookup(params: Readonly<Record<string, unknown>>): { readonly ok: true; readonly lookup: CustomerLookup } | { readonly ok: false; readonly errors: readonly string[] } {
  const parsed = LookupParams.safeParse(params);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`)) };
  const { by, value } = parsed.data;
  const fail = (message: string) => ({ ok: false as const, errors: [`value: ${message}`] });
  switch (by) {
    case 'number': {
      const number = parseClaimNumber(value);
      return number ? { ok: true, lookup: { kind: 'number', number } } : fail('expected a claim number such as 2026-000123');
    }
    case 'phone': {
      const phone = normalisePhone(value);
      return phone ? { ok: true, lookup: { kind: 'phone', phone } } : fail('expected a phone number with country code, e.g. +7 912 345-67-89');
    }
    case 'email': {
      const email = Email.safeParse(value);
      return email.success ? { ok: true, lookup: { kind: 'email', email: email.data } } : fail('expected an e-mail address such as name@example.com');
    }
    case 'telegram':
      return /^-?\d{1,20}$/.test(value) ? { ok: true, lookup: { kind: 'identity', identity: { channel: 'telegram', userId: value } } } : fail('expected a Telegram chat or user id (digits)');
    case 'slack': {
      const match = /^(?:(T[A-Z0-9]{2,20})\/)?([UW][A-Z0-9]{2,20})$/.exec(value);
      if (!match?.[2]) return fail('expected a Slack user id such as U0123ABCD (or T…/U… with the workspace)');
      return { ok: true, lookup: { kind: 'identity', identity: { channel: 'slack', userId: match[2], ...(match[1] ? { teamId: match[1] } : {}) } } };
    }
    case 'web':
      return /^[\w-]{6,128}$/.test(value) ? { ok: true, lookup: { kind: 'identity', identity: { channel: 'web', userId: value } } } : fail('expected a web-chat visitor id');
  }
}

/** Everything that names one customer across the desk: their channel identities, chats, phones and e-mails. */
export interface CustomerTraits {
  readonly identities: readonly CustomerIdentity[];
  /** Their chats (`channel` + `chatId`), where conversations, transcripts and dead letters are kept. */
  readonly chats: readonly { readonly channel: Channel; readonly chatId: string }[];
  readonly phones: readonly string[];
  readonly emails: readonly string[];
}

/**
 * What names the customer of these claims (and of the lookup itself): identities, chats, phones
 * and e-mails, each once; erased claims add nothing. A Telegram or web identity is its own chat.
 * @example customerTraits([claim]).phones // ['+79123456789']
 */
export function customerTraits(claims: readonly Claim[], lookup?: CustomerLookup): CustomerTraits {
  const identities = new Map<string, CustomerIdentity>();
  const chats = new Map<string, { channel: Channel; chatId: string }>();
  const phones = new Set<string>();
  const emails = new Set<string>();
  const addIdentity = (identity: CustomerIdentity) => {
    if (identity.userId.startsWith(ERASED_ID_PREFIX)) return;
    identities.set(`${identity.channel}:${identity.teamId ?? ''}:${identity.userId}`, identity);
    if (identity.channel !== 'slack') chats.set(`${identity.channel}:${identity.userId}`, { channel: identity.channel, chatId: identity.userId });
  };
  if (lookup?.kind === 'identity') addIdentity(lookup.identity);
  if (lookup?.kind === 'phone') phones.add(lookup.phone);
  if (lookup?.kind === 'email') emails.add(lookup.email);
  for (const claim of claims) {
    if (claim.erasedAt !== undefined) continue;
    addIdentity(claim.customer);
    if (!claim.conversation.chatId.startsWith(ERASED_ID_PREFIX)) chats.set(`${claim.conversation.channel}:${claim.conversation.chatId}`, { channel: claim.conversation.channel, chatId: claim.conversation.chatId });
    if (claim.contact.phone !== undefined) phones.add(claim.contact.phone);
    if (claim.contact.email !== undefined) emails.add(claim.contact.email);
  }
  return { identities: [...identities.values()], chats: [...chats.values()], phones: [...phones], emails: [...emails] };
}

// ---------------------------------------------------------------- erasing a claim

/** The replacement of a text that was there; absent stays absent. */
const tomb = <T extends string | undefined>(text: T): T => (text === undefined ? text : (ERASED as T));

function erasedEvent(event: ClaimEvent): ClaimEvent {
  const { attachments: _files, ...rest } = event;
  // a notice not yet delivered never will be: the customer's chat is gone
  const undelivered = event.notifyCustomer && event.deliveredAt === undefined && event.deliveryFailure === undefined;
  return {
    ...rest,
    ...(undelivered ? { deliveryFailure: 'no_channel' as const } : {}),
    ...(event.note !== undefined ? { note: ERASED } : {}),
    ...(event.decision ? { decision: { ...event.decision, responseText: ERASED } } : {}),
    ...(event.assessment?.warrantyReason !== undefined ? { assessment: { ...event.assessment, warrantyReason: ERASED } } : {}),
    // a file staff attached to the investigation stays (the desk's own record), its name may not
    ...(event.investigationFile?.fileName !== undefined ? { investigationFile: { ...event.investigationFile, fileName: ERASED } } : {}),
    // so do the files staff sent with a reply (#25): their names may name the customer
    ...(event.replyFiles ? { replyFiles: event.replyFiles.map((file) => (file.fileName !== undefined ? { ...file, fileName: ERASED } : file)) } : {}),
  };
}

/**
 * A claim with its personal data erased: the name, the phone and e-mail, the description, the
 * files, the order number, every free text (the customer's additions, staff questions and replies,
 * notes, the decision's text and a draft's waiting for approval, the survey comment, the assessment's and the investigation's texts)
 * replaced by {@link ERASED}; the channel identity and chat replaced by `pseudonym` (the same for
 * all of one customer's claims, so repeat-customer counts stay true). The number, dates, kind,
 * category, department, product, amounts, status, decision outcome, remedy, scores, SLA figures,
 * cause category and root-cause summary stay: the statistics do not change. Notices not yet
 * delivered are marked undeliverable (`no_channel`). A claim already erased is returned as it is.
 * @example erasedClaim(claim, 'erased:5f0c…', now).contact // { name: '[erased]' }
 */
export function erasedClaim(claim: Claim, pseudonym: string, now: Date): Claim {
  if (claim.erasedAt !== undefined) return claim;
  const { orderOrBatch, ...concerns } = claim.concerns;
  const { teamId: _team, ...customer } = claim.customer;
  const { teamId: _convTeam, threadId: _thread, ...conversation } = claim.conversation;
  const erased: Claim = {
    ...claim,
    contact: { name: ERASED },
    description: ERASED,
    attachments: [],
    concerns: { ...concerns, ...(orderOrBatch !== undefined ? { orderOrBatch: ERASED } : {}) },
    customer: { ...customer, userId: pseudonym },
    conversation: { ...conversation, chatId: pseudonym },
    history: claim.history.map(erasedEvent),
    erasedAt: now,
  };
  const { decision, pendingDecision, survey, assessment, investigation } = claim;
  return {
    ...erased,
    ...(decision ? { decision: { ...decision, responseText: ERASED } } : {}),
    // a draft waiting for a head's approval (#25) holds the text the customer would get
    ...(pendingDecision ? { pendingDecision: { ...pendingDecision, decision: { ...pendingDecision.decision, responseText: ERASED } } } : {}),
    ...(survey?.comment !== undefined ? { survey: { ...survey, comment: ERASED } } : {}),
    ...(assessment?.warrantyReason !== undefined ? { assessment: { ...assessment, warrantyReason: ERASED } } : {}),
    ...(investigation
      ? { investigation: { ...investigation, ...(investigation.facts !== undefined ? { facts: tomb(investigation.facts) } : {}), whys: investigation.whys.map(() => ({ why: ERASED, because: ERASED })) } }
      : {}),
  };
}

// ---------------------------------------------------------------- whether to erase

/** Why an erasure was refused: the customer still has open claims (their numbers). */
export interface ErasureRefusal {
  readonly refused: 'open_claims';
  readonly openNumbers: readonly string[];
}

/**
 * Whether a staff member may erase a customer with these claims now: refused while a claim is
 * still open (close or reject it first), unless `force` is asked by someone with the `force`
 * right (a head); then the erasure is recorded as forced. The `customer_data` right is checked
 * by the caller.
 * @example erasureDecision([openClaim], head, true) // { forced: true }
 */
export function erasureDecision(claims: readonly Pick<Claim, 'status' | 'number' | 'erasedAt'>[], member: Pick<StaffMember, 'roles'>, force: boolean): { readonly forced: boolean } | ErasureRefusal {
  const open = claims.filter((claim) => claim.erasedAt === undefined && OPEN_STATUSES.includes(claim.status)).map((claim) => claim.number);
  if (open.length === 0) return { forced: false };
  if (force && hasRight(member, 'force')) return { forced: true };
  return { refused: 'open_claims', openNumbers: open };
}

/**
 * The instant before which closed claims have outlived the desk's retention (`privacy.retention.closedClaimsDays`).
 * @example retentionCutoff(new Date('2029-06-01T00:00:00Z'), 1095) // 2026-06-02T00:00:00Z
 */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/** Whether a claim's personal data is due for erasure by retention: closed before the cutoff and not erased yet. */
export function retentionDue(claim: Pick<Claim, 'status' | 'closedAt' | 'erasedAt'>, cutoff: Date): boolean {
  return claim.status === 'closed' && claim.erasedAt === undefined && claim.closedAt !== undefined && claim.closedAt.getTime() < cutoff.getTime();
}
