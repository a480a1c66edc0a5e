import { z } from 'zod';
import type { Channel, ClaimDraftInput } from './claim.js';
import { Remedy } from './claim.js';
import { ClaimKind, type DeskConfig } from './desk.js';
import { fieldRequirement, parseClaimAmount, parsePurchaseDate } from './intake-fields.js';
import type { Claim, ClaimEvent } from './lifecycle.js';
import { Locale } from './locale.js';
import type { Money } from './money.js';
import type { Consent } from './consent.js';

/**
 * Claims received outside the messengers (#25): staff register a claim that came by phone, e-mail,
 * letter or in person in the web console. The form has the dialog's fields; the claim's rules are
 * the dialog's too — the draft this builds is validated by `prepareRegistration`
 * (src/domain/registration.ts: the claim schema, contact.ts, the desk's categories) like every
 * other registration. Such a customer has no messenger: their notices go by e-mail when they gave
 * an address, else staff tell them by phone or letter ({@link noticeRoute}). Pure.
 */

/** The ways a claim reaches the desk outside the messengers (recorded as the claim's channel). */
export const OFFLINE_CHANNELS = ['phone', 'email', 'letter', 'in_person'] as const satisfies readonly Channel[];
export const OfflineChannel = z.enum(OFFLINE_CHANNELS, `expected one of ${OFFLINE_CHANNELS.join(', ')}`);
export type OfflineChannel = z.infer<typeof OfflineChannel>;

/** Whether a claim's channel is one staff registered it through (no messenger to answer in). */
export function isOfflineChannel(channel: Channel): channel is OfflineChannel {
  return (OFFLINE_CHANNELS as readonly Channel[]).includes(channel);
}

/** A form's optional text field: empty or blank is "not given". */
const Optional = z
  .string()
  .max(10_000)
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/**
 * The console's registration form, as typed. Only the shape is checked here (strings where text is
 * expected, a known channel, kind, remedy and language); the content — description length, name,
 * phone or e-mail, the category offered for the kind — by the claim's own rules when it is
 * registered, so the form and the dialog accept and refuse the same claims.
 * `requestId` makes a form sent twice one claim.
 * @example StaffRegistration.parse({ requestId, channel: 'phone', kind: 'claim', category: 'defect', description: '…', desiredRemedy: 'refund', name: 'Anna', phone: '8 912 345-67-89', locale: 'ru' })
 */
export const StaffRegistration = z
  .object({
    requestId: z.uuid('expected a request id (a UUID)'),
    channel: OfflineChannel,
    kind: ClaimKind,
    category: z.string().max(64),
    product: Optional,
    orderOrBatch: Optional,
    /** The category's extra fields (#25), typed as in the dialog (`1 299,90`, `12.11.2026`); read only when the category asks them. */
    amount: Optional,
    purchaseDate: Optional,
    description: z.string().max(10_000),
    desiredRemedy: Remedy,
    name: z.string().max(1_000),
    phone: Optional,
    email: Optional,
    locale: Locale,
    /** Staff confirm the customer agreed to the desk's privacy notice (read out, or agreed in their letter) (#26). */
    consent: z.literal(true, "expected the customer's agreement to the privacy notice (read it out, or have it agreed in writing)"),
  })
  .strict();
export type StaffRegistration = z.infer<typeof StaffRegistration>;
export type StaffRegistrationInput = z.input<typeof StaffRegistration>;

/** What reading a form's extra fields needs: the desk's categories and currency, and today in its time zone (YYYY-MM-DD). */
export interface StaffFormContext {
  readonly desk: Pick<DeskConfig, 'categories'> & { readonly desk: Pick<DeskConfig['desk'], 'currency'> };
  readonly today: string;
  /** The consent staff recorded: the notice version the desk asks now, and when (#26). */
  readonly consent: Consent;
}

/**
 * The draft a registration form makes, for `ClaimRegistry.submit`: the customer is known by the
 * registration itself (no messenger identity), the channel is how the claim came, and the staff
 * member who registered it is recorded, with the customer's consent they confirmed. The idempotency key goes with it (a form sent twice is
 * one claim). The category's extra fields are read like the dialog reads them
 * (src/domain/intake-fields.ts): a required one missing, or one that cannot be read, is a problem
 * naming the field; a field the category does not ask is left out, as in the dialog.
 * @example const made = staffDraft(form, 'olga', { desk, today: '2026-12-03', consent: { version: noticeVersion(desk), at: now } }); if (made.ok) await registry.submit(made.draft, made.key);
 */
export function staffDraft(
  form: StaffRegistration,
  staffId: string,
  context: StaffFormContext,
): { readonly ok: true; readonly draft: ClaimDraftInput; readonly key: string } | { readonly ok: false; readonly problems: readonly string[] } {
  const category = context.desk.categories.find((candidate) => candidate.id === form.category);
  const problems: string[] = [];
  const currency = context.desk.desk.currency;
  let amount: Money | undefined;
  let purchaseDate: string | undefined;
  const amountAsked = fieldRequirement(category, 'amount');
  if (amountAsked !== undefined) {
    if (form.amount !== undefined) {
      const read = parseClaimAmount(form.amount, currency);
      if (read.ok) amount = read.amount;
      else problems.push(`amount: expected a positive amount in ${currency} such as 1 299,90 (${read.problem})`);
    } else if (amountAsked === 'required') problems.push('amount: required by the category');
  }
  const dateAsked = fieldRequirement(category, 'purchaseDate');
  if (dateAsked !== undefined) {
    if (form.purchaseDate !== undefined) {
      const read = parsePurchaseDate(form.purchaseDate, context.today);
      if (read.ok) purchaseDate = read.date;
      else problems.push(`purchaseDate: expected a past date such as 12.11.2026 (${read.problem})`);
    } else if (dateAsked === 'required') problems.push('purchaseDate: required by the category');
  }
  if (problems.length > 0) return { ok: false, problems };
  const reference = `staff-${form.requestId}`;
  const draft: ClaimDraftInput = {
    kind: form.kind,
    category: form.category,
    concerns: {
      ...(form.product !== undefined ? { product: form.product } : {}),
      ...(form.orderOrBatch !== undefined ? { orderOrBatch: form.orderOrBatch } : {}),
      ...(amount !== undefined ? { amount } : {}),
      ...(purchaseDate !== undefined ? { purchaseDate } : {}),
    },
    description: form.description,
    attachments: [],
    desiredRemedy: form.desiredRemedy,
    contact: { name: form.name, ...(form.phone !== undefined ? { phone: form.phone } : {}), ...(form.email !== undefined ? { email: form.email } : {}) },
    customer: { channel: form.channel, userId: reference },
    conversation: { channel: form.channel, chatId: reference },
    locale: form.locale,
    consent: context.consent,
    registeredBy: staffId,
  };
  return { ok: true, draft, key: `console:${staffId}:${form.requestId}` };
}

/**
 * How a customer hears from the desk: in their messenger (the claim's channel); by e-mail when
 * the claim came outside the messengers and they gave an address; else not at all by the desk
 * itself — staff tell them by phone or letter.
 * @example noticeRoute({ conversation: { channel: 'phone', chatId: 'staff-…' }, contact: { name: 'Anna', email: 'anna@example.com' } }) // { via: 'email', address: 'anna@example.com' }
 */
export function noticeRoute(claim: Pick<Claim, 'conversation' | 'contact'>): { readonly via: 'channel' } | { readonly via: 'email'; readonly address: string } | { readonly via: 'staff' } {
  if (!isOfflineChannel(claim.conversation.channel)) return { via: 'channel' };
  return claim.contact.email !== undefined ? { via: 'email', address: claim.contact.email } : { via: 'staff' };
}

/**
 * The notices staff must pass on themselves, oldest first: on a claim without a messenger, every
 * notice the desk could not send — the customer gave no e-mail, the desk sends no e-mail
 * (`no_channel`), the mail server refused the address (`unreachable`) or stayed down (`gave_up`) —
 * that staff have not recorded as told yet. None on an erased claim: there is nobody to tell.
 */
export function noticesToTell(claim: Pick<Claim, 'conversation' | 'history'> & { readonly erasedAt?: Date | undefined }): ClaimEvent[] {
  if (!isOfflineChannel(claim.conversation.channel) || claim.erasedAt !== undefined) return [];
  // those staff told already are on the told list (src/domain/customer-told.ts)
  const told = toldEventIds(claim.history);
  return claim.history.filter((event) => event.notifyCustomer && event.deliveryFailure !== undefined && !told.has(event.id));
}

/** The ids of the notices staff recorded as told to the customer (`customer_told` events, src/domain/customer-told.ts). */
export function toldEventIds(history: readonly ClaimEvent[]): Set<string> {
  return new Set(history.flatMap((event) => (event.type === 'customer_told' ? (event.toldEventIds ?? []) : [])));
}
