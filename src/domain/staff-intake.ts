import { z } from 'zod';
import type { Channel, ClaimDraftInput } from './claim.js';
import { Remedy } from './claim.js';
import { ClaimKind } from './desk.js';
import type { Claim, ClaimEvent } from './lifecycle.js';
import { Locale } from './locale.js';

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
    description: z.string().max(10_000),
    desiredRemedy: Remedy,
    name: z.string().max(1_000),
    phone: Optional,
    email: Optional,
    locale: Locale,
  })
  .strict();
export type StaffRegistration = z.infer<typeof StaffRegistration>;
export type StaffRegistrationInput = z.input<typeof StaffRegistration>;

/**
 * The draft a registration form makes, for `ClaimRegistry.submit`: the customer is known by the
 * registration itself (no messenger identity), the channel is how the claim came, and the staff
 * member who registered it is recorded. The idempotency key goes with it (a form sent twice is
 * one claim).
 * @example const { draft, key } = staffDraft(form, 'olga'); await registry.submit(draft, key);
 */
export function staffDraft(form: StaffRegistration, staffId: string): { readonly draft: ClaimDraftInput; readonly key: string } {
  const reference = `staff-${form.requestId}`;
  const draft: ClaimDraftInput = {
    kind: form.kind,
    category: form.category,
    concerns: { ...(form.product !== undefined ? { product: form.product } : {}), ...(form.orderOrBatch !== undefined ? { orderOrBatch: form.orderOrBatch } : {}) },
    description: form.description,
    attachments: [],
    desiredRemedy: form.desiredRemedy,
    contact: { name: form.name, ...(form.phone !== undefined ? { phone: form.phone } : {}), ...(form.email !== undefined ? { email: form.email } : {}) },
    customer: { channel: form.channel, userId: reference },
    conversation: { channel: form.channel, chatId: reference },
    locale: form.locale,
    registeredBy: staffId,
  };
  return { draft, key: `console:${staffId}:${form.requestId}` };
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
 * The notices staff must pass on themselves, oldest first: on a claim whose customer has neither a
 * messenger nor an e-mail, every notice the desk could not send (recorded as `no_channel`).
 */
export function noticesToTell(claim: Pick<Claim, 'conversation' | 'contact' | 'history'>): ClaimEvent[] {
  if (noticeRoute(claim).via !== 'staff') return [];
  return claim.history.filter((event) => event.notifyCustomer && event.deliveryFailure === 'no_channel');
}
