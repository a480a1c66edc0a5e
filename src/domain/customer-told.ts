import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { refusal, type Refusal } from './errors.js';
import type { Claim, ClaimEvent } from './lifecycle.js';
import { noticesToTell, toldEventIds } from './staff-intake.js';

/**
 * Notices staff told the customer themselves (#25). A customer with neither a messenger nor an
 * e-mail hears of their claim only from staff (src/domain/staff-intake.ts, `noticesToTell`): a
 * staff member records that they told them one or more of those notices, how, and optionally a
 * short note ("spoke to the wife"). The record is a `customer_told` history event (the notices'
 * event ids, the means, who, when), never sent to the customer; a told notice leaves the list of
 * notices still to tell. Pure; `plan` in claim-changes.ts calls it.
 */

/**
 * How staff told the customer: by `phone`, by `letter` (post), `in_person` (the customer came in),
 * or by an `email` staff wrote themselves (outside the desk, which has no address on the claim).
 */
export const TELL_MEANS = ['phone', 'letter', 'in_person', 'email'] as const;
export const TellMeans = z.enum(TELL_MEANS, `expected one of ${TELL_MEANS.join(', ')}`);
export type TellMeans = z.infer<typeof TellMeans>;

/** The longest note on how the customer was told. */
export const TOLD_NOTE_MAX = 500;
/** The most notices one record covers. */
export const TOLD_EVENTS_MAX = 50;

/** The note as staff type it: trimmed; empty is none. */
export const ToldNote = z
  .string()
  .trim()
  .max(TOLD_NOTE_MAX, `expected at most ${String(TOLD_NOTE_MAX)} characters`)
  .transform((note) => (note === '' ? undefined : note));

/** The notices a record covers: their history event ids, at least one, each once. */
export const ToldEventIds = z
  .array(z.string().min(1).max(64), 'expected the notices told')
  .min(1, 'expected at least one notice')
  .max(TOLD_EVENTS_MAX, `expected at most ${String(TOLD_EVENTS_MAX)} notices`)
  .transform((ids) => [...new Set(ids)]);

/** The change command: a staff member told the customer these notices, by these means. */
export const CustomerToldCommand = z
  .object({
    type: z.literal('customer_told'),
    staffId: z.string().min(1).max(128),
    eventIds: ToldEventIds,
    means: TellMeans,
    note: ToldNote.optional(),
  })
  .strict();
export type CustomerToldCommand = z.infer<typeof CustomerToldCommand>;

/** A notice staff told the customer, with the record that says who, when, how. */
export interface ToldNotice {
  /** The notice (a history event the customer was to hear of). */
  readonly notice: ClaimEvent;
  /** The `customer_told` event that records it. */
  readonly told: ClaimEvent;
}

/**
 * The notices staff told the customer, in the order they were told (each once: the first record).
 * @example toldNotices(claim).map(({ notice, told }) => [notice.id, told.toldMeans]) // [['e1', 'phone']]
 */
export function toldNotices(claim: Pick<Claim, 'history'>): ToldNotice[] {
  const byId = new Map(claim.history.map((event) => [event.id, event]));
  const seen = new Set<string>();
  return claim.history.flatMap((told) => {
    if (told.type !== 'customer_told') return [];
    return (told.toldEventIds ?? []).flatMap((id) => {
      const notice = byId.get(id);
      if (!notice || seen.has(id)) return [];
      seen.add(id);
      return [{ notice, told }];
    });
  });
}

/**
 * Plans recording that staff told the customer some notices. Refused when the desk tells this
 * customer itself (a messenger, or an e-mail that went out: nothing to tell, `NOTHING_TO_TELL`), and when an id is not a notice
 * staff must tell on this claim — unknown, or an event that is not such a notice
 * (`INVALID_CLAIM`). Notices told already are left out: a request whose notices were all told
 * changes nothing (a repeated click), one with some new records only those. At any status, open
 * or closed (the closing notice must be tellable too). The customer is not notified of the record.
 * @example planCustomerTold(claim, { type: 'customer_told', staffId: 'olga', eventIds: ['e1'], means: 'phone' }, now)
 */
export function planCustomerTold(claim: Claim, command: CustomerToldCommand, now: Date): { readonly events: readonly ClaimEvent[] } | Refusal | undefined {
  const toTell = new Set(noticesToTell(claim).map((event) => event.id));
  const told = toldEventIds(claim.history);
  // a messenger's customer, or one whose e-mails all went out: the desk tells them itself
  if (toTell.size === 0 && !command.eventIds.some((id) => told.has(id))) {
    return refusal('NOTHING_TO_TELL', 'the desk tells this customer itself (messenger or e-mail): nothing for staff to tell', { number: claim.number });
  }
  const unknown = command.eventIds.filter((id) => !toTell.has(id) && !told.has(id));
  if (unknown.length > 0) return refusal('INVALID_CLAIM', `eventIds: not a notice to tell the customer of claim ${claim.number}: ${unknown.join(', ')}`, { number: claim.number });
  const fresh = new Set(command.eventIds.filter((id) => toTell.has(id)));
  if (fresh.size === 0) return undefined;
  const event: ClaimEvent = {
    id: randomUUID(),
    at: now,
    actor: { kind: 'staff', staffId: command.staffId },
    type: 'customer_told',
    // in the history's order, whatever order the request named them in
    toldEventIds: claim.history.filter((candidate) => fresh.has(candidate.id)).map((candidate) => candidate.id),
    toldMeans: command.means,
    ...(command.note !== undefined ? { note: command.note } : {}),
    notifyCustomer: false,
  };
  return { events: [event] };
}
