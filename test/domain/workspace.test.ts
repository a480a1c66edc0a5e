import { beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, changedClaim, plan, type ChangePolicy } from '../../src/domain/claim-changes.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { registrationEvent, type Claim, type ClaimStatus } from '../../src/domain/lifecycle.js';
import { prepareRegistration } from '../../src/domain/registration.js';
import { alertsFor } from '../../src/domain/alerts.js';
import { canStaff, staffById } from '../../src/domain/staff.js';
import { StaffRequest } from '../../src/domain/staff-request.js';
import { isOfflineChannel, noticeRoute, noticesToTell, staffDraft, StaffRegistration } from '../../src/domain/staff-intake.js';
import { linkedClaims } from '../../src/domain/duplicates.js';
import { customerNotice } from '../../flows/notices.js';
import { t } from '../../src/i18n/index.js';
import { exampleDesk } from '../support/fixtures.js';
import { changed, claimFixture, CREATED, hoursAfter, refused } from '../support/claims.js';

/**
 * The console as a full workspace (#25), without a database: registering a claim staff received,
 * where its notices go, moving a claim, and linking a duplicate. The example desk: refund → support
 * (SLA 24 h / 360 h), delivery → logistics (72 h resolution), defect → quality (24 h / 240 h, for
 * claims and quality claims), service → support (complaints only).
 */

let desk: DeskConfig;
let policy: ChangePolicy;
beforeAll(async () => {
  desk = await exampleDesk();
  policy = changePolicy(desk);
});

const form = (over: Record<string, unknown> = {}) =>
  StaffRegistration.parse({
    requestId: '8e0b3a56-2f0a-4c6e-9b59-1c7f0f6f6a01',
    channel: 'phone',
    kind: 'claim',
    category: 'refund',
    description: 'Paid twice for one kettle.',
    desiredRemedy: 'refund',
    name: 'Anna',
    phone: '8 912 345-67-89',
    email: '',
    amount: '1 299,90',
    locale: 'ru',
    consent: true,
    ...over,
  });

const TODAY = '2026-12-03';
const CONSENT = { version: '2026-01', at: CREATED };

/** The draft of a form that reads (its extra fields included), or the test fails. */
const drafted = (typed: ReturnType<typeof form>) => {
  const made = staffDraft(typed, 'olga', { desk, today: TODAY, consent: CONSENT });
  if (!made.ok) throw new Error(`the form was refused: ${made.problems.join('; ')}`);
  return made;
};

describe('registering a claim staff received', () => {
  it('builds the draft the dialog would: the channel, no messenger identity, the registrar, empty fields left out', () => {
    const { draft, key } = drafted(form({ product: '  ', orderOrBatch: 'A-17' }));
    expect(key).toBe('console:olga:8e0b3a56-2f0a-4c6e-9b59-1c7f0f6f6a01');
    expect(draft).toMatchObject({ kind: 'claim', category: 'refund', concerns: { orderOrBatch: 'A-17', amount: { minor: 129_990, currency: 'RUB' } }, contact: { name: 'Anna', phone: '8 912 345-67-89' }, registeredBy: 'olga', consent: CONSENT });
    expect(draft.customer).toEqual({ channel: 'phone', userId: 'staff-8e0b3a56-2f0a-4c6e-9b59-1c7f0f6f6a01' });
    expect(draft.conversation).toEqual({ channel: 'phone', chatId: 'staff-8e0b3a56-2f0a-4c6e-9b59-1c7f0f6f6a01' });
    const prepared = prepareRegistration(draft, desk, CREATED);
    expect(prepared.department).toBe('support');
    expect(prepared.draft.contact.phone).toBe('+79123456789');
    // the staff member registered it; the customer is still to be told
    expect(prepared.event).toMatchObject({ type: 'registered', actor: { kind: 'staff', staffId: 'olga' }, notifyCustomer: true });
    expect(prepared.event.deliveredAt).toBeUndefined();
  });

  it.each([
    [{ description: 'short' }, 'description'],
    [{ phone: '', email: '' }, 'contact.phone'],
    [{ email: 'anna@' }, 'contact.email'],
    [{ name: '' }, 'contact.name'],
    [{ category: 'service' }, 'service'],
    [{ category: 'nope' }, 'nope'],
  ])('refuses %j by the claim\'s own rules, naming %s', (over, field) => {
    expect(() => prepareRegistration(drafted(form(over)).draft, desk, CREATED)).toThrow(field);
  });

  it('reads the category\'s extra fields as the dialog does, and leaves out those the category does not ask', () => {
    // the example's refund category: amount required, purchase date optional
    expect(drafted(form({ amount: '1299.90 ₽', purchaseDate: 'вчера' })).draft.concerns).toEqual({ amount: { minor: 129_990, currency: 'RUB' }, purchaseDate: '2026-12-02' });
    expect(drafted(form({ purchaseDate: '' })).draft.concerns).toEqual({ amount: { minor: 129_990, currency: 'RUB' } });
    const defect = desk.categories.find((category) => category.id === 'defect');
    expect(defect?.fields).toBeUndefined();
    expect(drafted(form({ category: 'defect', amount: '500', purchaseDate: '12.11.2026' })).draft.concerns).toEqual({});
  });

  it.each([
    [{ amount: '' }, ['amount: required by the category']],
    [{ amount: '$12' }, [expect.stringMatching(/^amount: expected a positive amount in RUB .*other_currency/)]],
    [{ amount: '-5', purchaseDate: 'завтра' }, [expect.stringMatching(/^amount: /), expect.stringMatching(/^purchaseDate: expected a past date/)]],
    [{ purchaseDate: '2027-01-10' }, [expect.stringMatching(/^purchaseDate: .*in_future/)]],
  ])('refuses the extra fields %j, naming them', (over, problems) => {
    expect(staffDraft(form(over), 'olga', { desk, today: TODAY, consent: CONSENT })).toEqual({ ok: false, problems });
  });

  it.each([
    [{ channel: 'telegram' }, 'channel'],
    [{ requestId: 'x' }, 'requestId'],
    [{ kind: 'wish' }, 'kind'],
    [{ desiredRemedy: 'money' }, 'desiredRemedy'],
    [{ locale: 'de' }, 'locale'],
    [{ consent: false }, 'consent'],
    [{ consent: undefined }, 'consent'],
  ])('the form refuses %j (%s)', (over, field) => {
    const parsed = StaffRegistration.safeParse({ ...form(), ...over });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
  });

  it('a dialog\'s registration stays confirmed in the dialog', () => {
    expect(registrationEvent(CREATED)).toMatchObject({ actor: { kind: 'customer' }, deliveredAt: CREATED });
  });
});

describe('where a customer\'s notices go', () => {
  it.each([
    ['telegram', { name: 'A', email: 'a@example.com' }, { via: 'channel' }],
    ['web', { name: 'A' }, { via: 'channel' }],
    ['phone', { name: 'A', email: 'a@example.com', phone: '+79123456789' }, { via: 'email', address: 'a@example.com' }],
    ['email', { name: 'A', email: 'a@example.com' }, { via: 'email', address: 'a@example.com' }],
    ['letter', { name: 'A', phone: '+79123456789' }, { via: 'staff' }],
    ['in_person', { name: 'A', phone: '+79123456789' }, { via: 'staff' }],
  ] as const)('a %s claim with %j: %j', (channel, contact, route) => {
    expect(noticeRoute({ conversation: { channel, chatId: 'x' }, contact })).toEqual(route);
    expect(isOfflineChannel(channel)).toBe(!['telegram', 'slack', 'web'].includes(channel));
  });

  it('staff tell the notices of a claim without a messenger that the desk could not send, however it failed', () => {
    const told = { ...registrationEvent(CREATED, 'olga'), deliveryFailure: 'no_channel' as const };
    const letter = claimFixture({ conversation: { channel: 'letter', chatId: 'staff-1' }, customer: { channel: 'letter', userId: 'staff-1' }, history: [told] });
    expect(noticesToTell(letter)).toEqual([told]);
    // an e-mail the desk could not send (no SMTP: no_channel; refused: unreachable; server down: gave_up) is told by staff too
    const byEmail = { ...letter, contact: { name: 'Anna', email: 'anna@example.com' } };
    expect(noticesToTell(byEmail)).toEqual([told]);
    const refused = { ...told, deliveryFailure: 'unreachable' as const };
    expect(noticesToTell({ ...byEmail, history: [refused] })).toEqual([refused]);
    // one that went out is not
    const sent = { ...registrationEvent(CREATED, 'olga'), deliveredAt: CREATED };
    expect(noticesToTell({ ...byEmail, history: [sent] })).toEqual([]);
    // a messenger's customer is told by the desk; an erased claim has nobody to tell
    expect(noticesToTell(claimFixture({ history: [told] }))).toEqual([]);
    expect(noticesToTell({ ...letter, erasedAt: CREATED })).toEqual([]);
  });

  it('a claim staff registered is acknowledged with its number; chat instructions are left out of notices for it', () => {
    const claim = claimFixture({ conversation: { channel: 'phone', chatId: 'staff-1' }, customer: { channel: 'phone', userId: 'staff-1' }, history: [registrationEvent(CREATED, 'olga')] });
    const [registered] = claim.history;
    expect(registered && customerNotice(desk, claim, registered)).toEqual({ text: t('en', 'notice.registered', { number: claim.number, due: '11 May 2026, 12:00' }), expects: 'none' });
    const reply = changed(plan(claim, { type: 'staff_message', kind: 'reply', staffId: 'olga', text: 'Found it.' }, policy, hoursAfter(1))).events[0];
    expect(reply && customerNotice(desk, claim, reply)).toEqual({ text: t('en', 'notice.offline.reply', { number: claim.number, text: 'Found it.' }), expects: 'none' });
    const dialog = claimFixture();
    expect(dialog.history[0] && customerNotice(desk, dialog, dialog.history[0])).toBe('in_dialog');
  });
});

describe('moving a claim', () => {
  const move = (claim: Claim, target: { category?: string; department?: string }, reason = 'The courier broke it') => plan(claim, { type: 'relocate', staffId: 'olga', ...target, reason }, policy, hoursAfter(2));
  const refund = (extra: Partial<Claim> = {}) =>
    claimFixture({ category: 'refund', department: 'support', status: 'in_review', assigneeId: 'olga', sla: { firstResponseDueAt: hoursAfter(24), resolutionDueAt: hoursAfter(360), firstResponseHours: 24, resolutionHours: 360 }, ...extra });

  it.each([
    // [what, target, department, category, resolution hours, assignee kept]
    ['to a category: its department takes it, its shorter SLA applies', { category: 'delivery' }, 'logistics', 'delivery', 72, false],
    ['to another department\'s category: its SLA (240 h)', { category: 'defect' }, 'quality', 'defect', 240, false],
    ['to a department only: the category and its SLA stay', { department: 'quality' }, 'quality', 'refund', 360, false],
    ['to a category of the same department: the assignee keeps it', { category: 'other' }, 'support', 'other', 240, true],
    ['to a category, handled by another department', { category: 'delivery', department: 'support' }, 'support', 'delivery', 72, true],
  ] as const)('%s', (_what, target, department, category, hours, kept) => {
    const claim = refund();
    const result = changed(move(claim, target));
    const after = changedClaim(claim, result);
    expect({ department: after.department, category: after.category, hours: (after.sla.resolutionDueAt.getTime() - CREATED.getTime()) / 3_600_000, kept: after.assigneeId === 'olga' }).toEqual({ department, category, hours, kept });
    expect(result.events[0]).toMatchObject({ type: 'moved', moved: { fromDepartment: 'support', toDepartment: department, fromCategory: 'refund', toCategory: category }, note: 'The courier broke it', notifyCustomer: false });
    // the customer is never told of a move; new due times are never later, so not news either
    expect(result.events.every((event) => !event.notifyCustomer)).toBe(true);
    if (hours !== 360) expect(result.schedule.slaNextCheckAt).toBeInstanceOf(Date);
  });

  it('a category with a longer SLA never moves the due times later than promised', () => {
    const delivery = refund({ category: 'delivery', department: 'logistics', assigneeId: undefined, sla: { firstResponseDueAt: hoursAfter(24), resolutionDueAt: hoursAfter(72), firstResponseHours: 24, resolutionHours: 72 } });
    const result = changed(move(delivery, { category: 'refund' }));
    expect(changedClaim(delivery, result).sla.resolutionDueAt).toEqual(hoursAfter(72));
    expect(result.events.map((event) => event.type)).toEqual(['moved']);
  });

  it.each([
    ['resolved', 'INVALID_TRANSITION'],
    ['closed', 'INVALID_TRANSITION'],
  ] as const)('a %s claim does not move (%s)', (status: ClaimStatus, code: DomainErrorCode) => {
    expect(refused(move(refund({ status }), { category: 'delivery' }))).toBe(code);
  });

  it.each([
    [{ category: 'nope' }, 'UNKNOWN_CATEGORY'],
    // a complaint category for a claim
    [{ category: 'service' }, 'UNKNOWN_CATEGORY'],
    [{ department: 'nope' }, 'INVALID_CLAIM'],
    [{}, 'INVALID_CLAIM'],
  ] as const)('refuses %j (%s)', (target, code) => {
    expect(refused(move(refund(), target))).toBe(code);
  });

  it('a move to where the claim is changes nothing; a reason is required', () => {
    expect(changed(move(refund(), { category: 'refund' })).events).toEqual([]);
    expect(refused(move(refund(), { category: 'delivery' }, '  '))).toBe('INVALID_CLAIM');
  });

  it('the new department is alerted; a move inside one department alerts nobody', () => {
    const claim = refund();
    const away = changedClaim(claim, changed(move(claim, { category: 'delivery' })));
    const moved = away.history.find((event) => event.type === 'moved');
    expect(moved && alertsFor(moved, away, desk).map((alert) => [alert.kind, alert.to])).toEqual([['moved_in', { kind: 'department', departmentId: 'logistics' }]]);
    const inside = changedClaim(claim, changed(move(claim, { category: 'other' })));
    const stayed = inside.history.find((event) => event.type === 'moved');
    expect(stayed && alertsFor(stayed, inside, desk)).toEqual([]);
  });

  it('the request: a category or a department, and a reason', () => {
    expect(StaffRequest.safeParse({ action: 'move', category: '', department: '', reason: 'x' }).success).toBe(false);
    expect(StaffRequest.safeParse({ action: 'move', category: 'delivery', reason: '' }).success).toBe(false);
    expect(StaffRequest.parse({ action: 'move', category: 'delivery', department: '', reason: 'x' })).toEqual({ action: 'move', category: 'delivery', reason: 'x' });
  });
});

describe('linking a duplicate', () => {
  const original = { number: '2026-000007', status: 'in_review' as const };
  const link = (claim: Claim, over: Partial<{ number: string; status: ClaimStatus; duplicateOf: string }> = {}) =>
    plan(claim, { type: 'link_duplicate', staffId: 'olga', original: { ...original, ...over }, note: 'Same kettle' }, policy, hoursAfter(3));

  it('closes the duplicate with the link; its customer is told the number to follow; no SLA checks or survey after', () => {
    const claim = claimFixture({ status: 'awaiting_customer', resumeStatus: 'in_review' });
    const result = changed(link(claim));
    const after = changedClaim(claim, result);
    expect({ status: after.status, duplicateOf: after.duplicateOf, closedAt: after.closedAt, resumeStatus: after.resumeStatus }).toEqual({ status: 'closed', duplicateOf: '2026-000007', closedAt: hoursAfter(3), resumeStatus: undefined });
    expect(result.schedule).toEqual({ slaNextCheckAt: null, surveyNextAt: null });
    const [event] = result.events;
    expect(event).toMatchObject({ type: 'duplicate_linked', linkedNumber: '2026-000007', note: 'Same kettle', notifyCustomer: true });
    expect(event && customerNotice(desk, after, event)).toEqual({ text: t('en', 'notice.duplicate', { number: claim.number, original: '2026-000007' }), expects: 'none' });
    expect(linkedClaims(after)).toEqual({ duplicateOf: '2026-000007', duplicates: [] });
    // again: nothing
    expect(changed(link(after)).events).toEqual([]);
  });

  it.each([
    ['itself', {}, { number: '2026-000001' }, 'INVALID_CLAIM'],
    ['a resolved claim', { status: 'resolved' }, {}, 'INVALID_TRANSITION'],
    ['a closed claim', { status: 'closed' }, {}, 'INVALID_TRANSITION'],
    ['a claim already a duplicate of another', { duplicateOf: '2026-000005' }, {}, 'INVALID_TRANSITION'],
    ['to a closed original', {}, { status: 'closed' }, 'INVALID_CLAIM'],
    ['to an original that is itself a duplicate', {}, { duplicateOf: '2026-000003' }, 'INVALID_CLAIM'],
  ] as const)('refuses %s', (_what, claimOver, originalOver, code) => {
    expect(refused(link(claimFixture(claimOver as Partial<Claim>), originalOver))).toBe(code);
  });

  it('the original lists each duplicate once', () => {
    const claim = claimFixture({ number: '2026-000007' });
    const once = changedClaim(claim, changed(plan(claim, { type: 'add_duplicate', staffId: 'olga', duplicate: '2026-000001' }, policy, hoursAfter(3))));
    expect(once.duplicates).toEqual(['2026-000001']);
    expect(once.history.at(-1)).toMatchObject({ type: 'duplicate_added', linkedNumber: '2026-000001', notifyCustomer: false });
    expect(changed(plan(once, { type: 'add_duplicate', staffId: 'olga', duplicate: '2026-000001' }, policy, hoursAfter(4))).events).toEqual([]);
  });

  it('the request takes a number as staff type it', () => {
    expect(StaffRequest.parse({ action: 'link_duplicate', original: '№ 2026-7' })).toEqual({ action: 'link_duplicate', original: '2026-000007' });
    expect(StaffRequest.safeParse({ action: 'link_duplicate', original: 'kettle' }).success).toBe(false);
  });
});

describe('who may move and link', () => {
  it.each([
    // [member, claim department, assignee, action, allowed]
    ['olga', 'support', undefined, 'move', true],
    ['olga', 'quality', undefined, 'move', false],
    ['olga', 'support', 'maria', 'link_duplicate', false],
    ['maria', 'logistics', undefined, 'link_duplicate', true],
    ['sergey', 'support', 'olga', 'move', true],
  ] as const)('%s on a %s claim assigned to %s: %s → %s', (id, department, assigneeId, action, allowed) => {
    const member = staffById(desk, id);
    expect(canStaff(desk, member, { department, status: 'in_review', ...(assigneeId ? { assigneeId } : {}) }, action).allowed).toBe(allowed);
  });
});
