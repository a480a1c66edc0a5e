import { beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, changedClaim, plan, type ChangePolicy } from '../../src/domain/claim-changes.js';
import { toldNotices, TELL_MEANS, TOLD_NOTE_MAX } from '../../src/domain/customer-told.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { alertsFor } from '../../src/domain/alerts.js';
import { ERASED, erasedClaim } from '../../src/domain/erasure.js';
import { registrationEvent, type Claim, type ClaimEvent, type ClaimStatus } from '../../src/domain/lifecycle.js';
import { noticesToTell } from '../../src/domain/staff-intake.js';
import { canStaff, staffById } from '../../src/domain/staff.js';
import { StaffRequest } from '../../src/domain/staff-request.js';
import { historyText, PLAIN } from '../../adapters/staff-text.js';
import { historyLine } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';
import { exampleDesk } from '../support/fixtures.js';
import { changed, claimFixture, CREATED, hoursAfter, refused } from '../support/claims.js';

/**
 * Staff record that they told a customer without messenger or e-mail the notices the desk could
 * not send (#25, src/domain/customer-told.ts): which notices, how, with a note; told once; never
 * sent to the customer; refused for a customer the desk tells itself and for ids that are not such
 * notices.
 */

let desk: DeskConfig;
let policy: ChangePolicy;
beforeAll(async () => {
  desk = await exampleDesk();
  policy = changePolicy(desk);
});

const now = hoursAfter(5);
const unsent = (event: ClaimEvent): ClaimEvent => ({ ...event, deliveryFailure: 'no_channel' });
const registered = unsent({ ...registrationEvent(CREATED, 'olga'), id: 'e-registered' });
const taken: ClaimEvent = unsent({ id: 'e-taken', at: hoursAfter(1), actor: { kind: 'staff', staffId: 'olga' }, type: 'status_changed', action: 'take', from: 'new', to: 'in_review', notifyCustomer: true });
const note: ClaimEvent = { id: 'e-note', at: hoursAfter(2), actor: { kind: 'staff', staffId: 'olga' }, type: 'staff_note', note: 'Called the warehouse', notifyCustomer: false };
// a notice the notification job has not tried yet: not (yet) one staff must tell
const pending: ClaimEvent = { id: 'e-pending', at: hoursAfter(3), actor: { kind: 'staff', staffId: 'olga' }, type: 'staff_reply', note: 'Please send the receipt', notifyCustomer: true };

/** A letter claim whose customer gave only a phone: staff tell them everything. */
const letterClaim = (extra: Partial<Claim> = {}): Claim =>
  claimFixture({
    conversation: { channel: 'letter', chatId: 'staff-1' },
    customer: { channel: 'letter', userId: 'staff-1' },
    status: 'in_review',
    assigneeId: 'olga',
    department: 'support',
    category: 'refund',
    registeredBy: 'olga',
    history: [registered, taken, note, pending],
    ...extra,
  });

const tell = (claim: Claim, eventIds: string[], extra: Record<string, unknown> = {}) => plan(claim, { type: 'customer_told', staffId: 'olga', eventIds, means: 'phone', ...extra }, policy, now);

describe('recording that staff told the customer', () => {
  it('records the notices told, how, by whom and when, as an event never sent to the customer', () => {
    const claim = letterClaim();
    const change = changed(tell(claim, ['e-taken', 'e-registered'], { means: 'letter', note: '  spoke to the wife  ' }));
    expect(change.events).toHaveLength(1);
    const [event] = change.events;
    expect(event).toMatchObject({ type: 'customer_told', actor: { kind: 'staff', staffId: 'olga' }, at: now, toldEventIds: ['e-registered', 'e-taken'], toldMeans: 'letter', note: 'spoke to the wife', notifyCustomer: false });
    // nothing else changes: no status, no field, no schedule
    expect({ set: change.set, unset: change.unset, schedule: change.schedule, marks: change.marks }).toEqual({ set: {}, unset: [], schedule: {}, marks: [] });
    const after = changedClaim(claim, change);
    expect(after.status).toBe('in_review');
    expect(after.version).toBe(claim.version + 1);
  });

  it('takes the told notices off the list to tell and puts them on the told list', () => {
    const claim = letterClaim();
    expect(noticesToTell(claim).map((event) => event.id)).toEqual(['e-registered', 'e-taken']);
    const after = changedClaim(claim, changed(tell(claim, ['e-taken'])));
    expect(noticesToTell(after).map((event) => event.id)).toEqual(['e-registered']);
    expect(toldNotices(after).map(({ notice, told }) => [notice.id, told.toldMeans, told.actor])).toEqual([['e-taken', 'phone', { kind: 'staff', staffId: 'olga' }]]);
  });

  it('a notice told once is not told again: the same request twice changes nothing; a mixed one records only the new notice', () => {
    const claim = letterClaim();
    const once = changedClaim(claim, changed(tell(claim, ['e-taken'])));
    expect(changed(tell(once, ['e-taken'], { means: 'in_person' })).events).toEqual([]);
    const mixed = changed(tell(once, ['e-taken', 'e-registered']));
    expect(mixed.events.map((event) => event.toldEventIds)).toEqual([['e-registered']]);
    // the same id twice in one request is one notice
    expect(changed(tell(claim, ['e-taken', 'e-taken'])).events.map((event) => event.toldEventIds)).toEqual([['e-taken']]);
    // the told list keeps the first record of each notice
    const both = changedClaim(once, mixed);
    expect(toldNotices(both).map(({ notice }) => notice.id)).toEqual(['e-taken', 'e-registered']);
    expect(noticesToTell(both)).toEqual([]);
  });

  it('refuses ids that are not notices to tell: unknown, an internal note, a notice the desk has not tried to send yet', () => {
    const claim = letterClaim();
    expect(refused(tell(claim, ['no-such-event']))).toBe('INVALID_CLAIM');
    expect(refused(tell(claim, ['e-note']))).toBe('INVALID_CLAIM');
    expect(refused(tell(claim, ['e-pending']))).toBe('INVALID_CLAIM');
    // one bad id refuses the whole request: nothing half recorded
    expect(refused(tell(claim, ['e-taken', 'no-such-event']))).toBe('INVALID_CLAIM');
  });

  it('refuses a customer the desk tells itself: an e-mail that went out, or a messenger; an e-mail that could not go out is told by staff', () => {
    const withEmail = letterClaim({ contact: { name: 'Anna', phone: '+79123456789', email: 'anna@example.com' } });
    const sentByEmail = withEmail.history.map((event) => (event.notifyCustomer ? { ...event, deliveryFailure: undefined, deliveredAt: now } : event));
    expect(refused(tell({ ...withEmail, history: sentByEmail }, ['e-taken']))).toBe('NOTHING_TO_TELL');
    // the desk sends no e-mail (no SMTP), or the address was refused: staff tell them
    expect(changed(tell(withEmail, ['e-taken'])).events).toHaveLength(1);
    const telegram = letterClaim({ conversation: { channel: 'telegram', chatId: '1001' }, customer: { channel: 'telegram', userId: '1001' } });
    expect(refused(tell(telegram, ['e-taken']))).toBe('NOTHING_TO_TELL');
  });

  it.each(['new', 'in_review', 'investigating', 'awaiting_customer', 'resolved', 'closed'] as ClaimStatus[])('is allowed on a %s claim (the closing notice is told too)', (status) => {
    expect(changed(tell(letterClaim({ status }), ['e-taken'])).events).toHaveLength(1);
  });

  it('refuses a malformed request: no notices, an unknown means, a note over the limit', () => {
    const claim = letterClaim();
    expect(refused(tell(claim, []))).toBe('INVALID_CLAIM');
    expect(refused(tell(claim, ['e-taken'], { means: 'pigeon' }))).toBe('INVALID_CLAIM');
    expect(refused(tell(claim, ['e-taken'], { note: 'x'.repeat(TOLD_NOTE_MAX + 1) }))).toBe('INVALID_CLAIM');
    expect(changed(tell(claim, ['e-taken'], { note: 'x'.repeat(TOLD_NOTE_MAX) })).events).toHaveLength(1);
    // an empty note is no note
    expect(changed(tell(claim, ['e-taken'], { note: '   ' })).events[0]?.note).toBeUndefined();
  });

  it('alerts nobody', () => {
    const claim = letterClaim();
    const [event] = changed(tell(claim, ['e-taken'])).events;
    if (!event) throw new Error('no event');
    expect(alertsFor(event, changedClaim(claim, changed(tell(claim, ['e-taken']))), desk)).toEqual([]);
  });

  it('reads in the history for staff: who, how, the notices\' times, the note', () => {
    const claim = letterClaim();
    const after = changedClaim(claim, changed(tell(claim, ['e-registered', 'e-taken'], { means: 'in_person', note: 'Came to the office' })));
    const event = after.history.at(-1);
    if (!event) throw new Error('no event');
    expect(historyText({ desk, locale: 'en' }, after, event, PLAIN)).toBe(
      t('en', 'staff.history.customer_told', { who: 'Olga Smirnova', means: t('en', 'staff.told_means.in_person'), when: '1 May 2026, 12:00, 1 May 2026, 13:00', note: PLAIN.quote('Came to the office') }),
    );
  });

  it('reads in the Slack thread too, the note escaped and quoted', () => {
    const claim = letterClaim();
    const after = changedClaim(claim, changed(tell(claim, ['e-taken'], { means: 'letter', note: 'Sent <b>by post</b>' })));
    const event = after.history.at(-1);
    if (!event) throw new Error('no event');
    expect(historyLine({ desk, locale: 'ru' }, after, event)).toBe(
      t('ru', 'staff.history.customer_told', { who: 'Olga Smirnova', means: t('ru', 'staff.told_means.letter'), when: '1 мая 2026 г., 13:00', note: '\n>\u2068Sent &lt;b&gt;by post&lt;/b&gt;\u2069' }),
    );
  });

  it('erases the note with the customer\'s data and keeps which notices were told, how', () => {
    const claim = letterClaim();
    const after = changedClaim(claim, changed(tell(claim, ['e-taken'], { note: 'spoke to the wife' })));
    const erased = erasedClaim(after, 'erased:p1', hoursAfter(10));
    const told = erased.history.find((event) => event.type === 'customer_told');
    expect(told).toMatchObject({ note: ERASED, toldEventIds: ['e-taken'], toldMeans: 'phone' });
    expect(JSON.stringify(erased)).not.toContain('spoke to the wife');
  });
});

describe('who may record it, and the request staff send', () => {
  const member = (id: string) => staffById(desk, id);

  it('needs the reply right and the claim\'s ownership, like a reply', () => {
    const claim = letterClaim();
    expect(canStaff(desk, member('olga'), claim, 'tell_customer')).toEqual({ allowed: true });
    // quality acts in every department, but the claim is Olga's
    expect(canStaff(desk, member('maria'), claim, 'tell_customer')).toEqual({ allowed: false, reason: 'not_assignee' });
    expect(canStaff(desk, member('sergey'), claim, 'tell_customer')).toEqual({ allowed: true });
    expect(canStaff(desk, member('ivan'), claim, 'tell_customer')).toEqual({ allowed: false, reason: 'other_department' });
    const unassigned = letterClaim({ assigneeId: undefined });
    expect(canStaff(desk, member('maria'), unassigned, 'tell_customer')).toEqual({ allowed: true });
  });

  it('parses the console\'s request: the means from the list, the ids, an optional note', () => {
    expect(StaffRequest.parse({ action: 'tell_customer', eventIds: ['a', 'b', 'a'], means: 'letter', note: '' })).toEqual({ action: 'tell_customer', eventIds: ['a', 'b'], means: 'letter', note: undefined });
    expect(TELL_MEANS).toEqual(['phone', 'letter', 'in_person', 'email']);
    for (const bad of [{ eventIds: [], means: 'phone' }, { eventIds: ['a'], means: 'fax' }, { eventIds: ['a'], means: 'phone', note: 'x'.repeat(501) }, { means: 'phone' }]) {
      expect(StaffRequest.safeParse({ action: 'tell_customer', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
