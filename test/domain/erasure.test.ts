import { describe, expect, it } from 'vitest';
import { customerTraits, ERASED, erasedClaim, erasureDecision, parseCustomerLookup, retentionCutoff, retentionDue } from '../../src/domain/erasure.js';
import type { ClaimEvent } from '../../src/domain/lifecycle.js';
import { claimFixture, CREATED, hoursAfter } from '../support/claims.js';

const CANARY = 'Zyxcanary';

/** A resolved, surveyed, investigated claim full of the customer's words. */
function richClaim() {
  const events: ClaimEvent[] = [
    { id: 'e2', at: hoursAfter(1), actor: { kind: 'customer' }, type: 'customer_info', note: `${CANARY} more details`, attachments: [{ channel: 'telegram', kind: 'photo', fileId: `${CANARY}-file` }], notifyCustomer: false },
    { id: 'e3', at: hoursAfter(2), actor: { kind: 'staff', staffId: 'ivan' }, type: 'staff_reply', note: `Dear ${CANARY}, thank you`, notifyCustomer: true },
    { id: 'e4', at: hoursAfter(3), actor: { kind: 'staff', staffId: 'ivan' }, type: 'status_changed', action: 'resolve', from: 'in_review', to: 'resolved', decision: { outcome: 'accepted', remedy: 'refund', responseText: `Refund for ${CANARY}`, amount: { minor: 129_990, currency: 'RUB' } }, notifyCustomer: true },
    { id: 'e5', at: hoursAfter(4), actor: { kind: 'customer' }, type: 'survey_answered', score: 4, notifyCustomer: false },
    { id: 'e6', at: hoursAfter(4), actor: { kind: 'customer' }, type: 'survey_commented', note: `${CANARY} was nice`, notifyCustomer: false },
  ];
  return claimFixture({
    status: 'resolved',
    contact: { name: `${CANARY} Petrova`, phone: '+79991112233', email: 'zyx@example.com' },
    description: `My kettle, ${CANARY}, broke`,
    attachments: [{ channel: 'telegram', kind: 'photo', fileId: `${CANARY}-photo`, fileName: `${CANARY}.jpg` }],
    concerns: { product: 'Kettle KT-200', orderOrBatch: `ORDER-${CANARY}`, amount: { minor: 129_990, currency: 'RUB' } },
    customer: { channel: 'slack', userId: 'U0CANARY1', teamId: 'T0TEAM0001' },
    conversation: { channel: 'slack', chatId: 'D0CANARY1', teamId: 'T0TEAM0001', threadId: '1700.1' },
    decision: { outcome: 'accepted', remedy: 'refund', responseText: `Refund for ${CANARY}`, amount: { minor: 129_990, currency: 'RUB' }, decidedBy: 'ivan' },
    survey: { sentAt: hoursAfter(3), closeAt: hoursAfter(100), score: 4, answeredAt: hoursAfter(4), comment: `${CANARY} was nice` },
    assessment: { customer: 'yes', warranty: 'yes', warrantyDerived: 'no', warrantyReason: `${CANARY} has a receipt`, justified: 'yes', severity: 'normal', at: hoursAfter(1), by: 'olga' },
    investigation: { facts: `${CANARY} used it right`, whys: [{ why: `Why did ${CANARY}'s kettle fail?`, because: 'Worn seal' }], causeCategory: 'machines', rootCause: 'Worn die', updatedAt: hoursAfter(2), updatedBy: 'ivan' },
    resolvedAt: hoursAfter(3),
    resolutionMs: 3 * 3_600_000,
    firstResponseAt: hoursAfter(2),
    history: [...claimFixture().history, ...events],
  });
}

describe('erasing a claim', () => {
  const now = hoursAfter(1000);

  it('leaves no personal data: no canary anywhere in the erased claim', () => {
    const erased = erasedClaim(richClaim(), 'erased:p1', now);
    const text = JSON.stringify(erased);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('+79991112233');
    expect(text).not.toContain('zyx@example.com');
    expect(text).not.toContain('U0CANARY1');
    expect(text).not.toContain('D0CANARY1');
    expect(text).not.toContain('T0TEAM0001');
  });

  it('erases a draft decision waiting for approval and the names of files staff attached to the investigation', () => {
    const rich = richClaim();
    const draft = { outcome: 'rejected' as const, reason: 'unfounded' as const, responseText: `No refund for ${CANARY}`, decidedBy: 'ivan' };
    const claim = {
      ...rich,
      pendingDecision: { id: 'd1', decision: draft, reasons: ['severity' as const], by: 'ivan', at: hoursAfter(5) },
      history: [
        ...rich.history,
        { id: 'e7', at: hoursAfter(5), actor: { kind: 'staff' as const, staffId: 'ivan' }, type: 'decision_drafted' as const, decision: draft, notifyCustomer: false },
        { id: 'e8', at: hoursAfter(5), actor: { kind: 'staff' as const, staffId: 'ivan' }, type: 'investigation_file_added' as const, investigationFile: { channel: 'web' as const, kind: 'photo' as const, fileId: 'f1', fileName: `${CANARY}-receipt.jpg` }, notifyCustomer: false },
      ],
    };
    const erased = erasedClaim(claim, 'erased:p1', now);
    expect(JSON.stringify(erased)).not.toContain(CANARY);
    expect(erased.pendingDecision).toEqual({ ...claim.pendingDecision, decision: { ...draft, responseText: ERASED } });
    expect(erased.history.at(-1)?.investigationFile).toEqual({ channel: 'web', kind: 'photo', fileId: 'f1', fileName: ERASED });
  });

  it('erases the text and the file names of a reply staff sent with files (#25), keeping the files as the desk record', () => {
    const rich = richClaim();
    const file = { channel: 'web' as const, kind: 'document' as const, fileId: 'r1', fileName: `act-for-${CANARY}.pdf`, mimeType: 'application/pdf', sizeBytes: 100 };
    const claim = { ...rich, history: [...rich.history, { id: 'e9', at: hoursAfter(6), actor: { kind: 'staff' as const, staffId: 'ivan' }, type: 'staff_reply' as const, note: `Dear ${CANARY}`, replyFiles: [file], notifyCustomer: true, deliveredAt: hoursAfter(6) }] };
    const erased = erasedClaim(claim, 'erased:p1', now);
    expect(JSON.stringify(erased)).not.toContain(CANARY);
    expect(erased.history.at(-1)).toMatchObject({ note: ERASED, replyFiles: [{ ...file, fileName: ERASED }] });
  });

  it('replaces texts by the tombstone and keeps what the statistics read', () => {
    const claim = richClaim();
    const erased = erasedClaim(claim, 'erased:p1', now);
    expect(erased.contact).toEqual({ name: ERASED });
    expect(erased.description).toBe(ERASED);
    expect(erased.attachments).toEqual([]);
    expect(erased.customer).toEqual({ channel: 'slack', userId: 'erased:p1' });
    expect(erased.conversation).toEqual({ channel: 'slack', chatId: 'erased:p1' });
    expect(erased.concerns).toEqual({ product: 'Kettle KT-200', orderOrBatch: ERASED, amount: { minor: 129_990, currency: 'RUB' } });
    expect(erased.decision).toEqual({ ...claim.decision, responseText: ERASED });
    expect(erased.survey).toEqual({ ...claim.survey, comment: ERASED });
    expect(erased.assessment?.warrantyReason).toBe(ERASED);
    expect(erased.investigation).toMatchObject({ facts: ERASED, whys: [{ why: ERASED, because: ERASED }], causeCategory: 'machines', rootCause: 'Worn die' });
    expect(erased.erasedAt).toEqual(now);
    // the numbers, dates, classification, outcome and scores stay
    for (const field of ['id', 'number', 'kind', 'category', 'department', 'status', 'createdAt', 'resolvedAt', 'resolutionMs', 'firstResponseAt', 'sla', 'severity', 'locale', 'version', 'desiredRemedy'] as const) {
      expect(erased[field]).toEqual(claim[field]);
    }
    expect(erased.history.map((event) => [event.id, event.type, event.score, event.decision?.outcome])).toEqual(claim.history.map((event) => [event.id, event.type, event.score, event.decision?.outcome]));
    expect(erased.history.find((event) => event.id === 'e2')).not.toHaveProperty('attachments');
    // the reply and the decision were never delivered: now they never will be (no chat to send to)
    expect(erased.history.filter((event) => event.deliveryFailure === 'no_channel').map((event) => event.id)).toEqual(['e3', 'e4']);
    expect(erased.history[0]?.deliveryFailure).toBeUndefined();
  });

  it('is idempotent: an erased claim stays as it is (same pseudonym, same time)', () => {
    const once = erasedClaim(richClaim(), 'erased:p1', now);
    expect(erasedClaim(once, 'erased:p2', hoursAfter(2000))).toBe(once);
  });

  it('adds no field that was absent', () => {
    const erased = erasedClaim(claimFixture(), 'erased:p1', now);
    expect(erased).not.toHaveProperty('decision');
    expect(erased).not.toHaveProperty('survey');
    expect(erased.concerns).toEqual({ product: 'Kettle KT-200' });
  });
});

describe('finding a customer', () => {
  it('normalises a phone in any typed form, an e-mail and a claim number', () => {
    expect(parseCustomerLookup({ by: 'phone', value: '8 (999) 111-22-33' })).toEqual({ ok: true, lookup: { kind: 'phone', phone: '+79991112233' } });
    expect(parseCustomerLookup({ by: 'phone', value: '+7 999 111 22 33' })).toEqual({ ok: true, lookup: { kind: 'phone', phone: '+79991112233' } });
    expect(parseCustomerLookup({ by: 'email', value: ' Anna@Example.COM ' })).toEqual({ ok: true, lookup: { kind: 'email', email: 'anna@example.com' } });
    expect(parseCustomerLookup({ by: 'number', value: '2026-000001' })).toEqual({ ok: true, lookup: { kind: 'number', number: '2026-000001' } });
  });

  it('reads channel identities', () => {
    expect(parseCustomerLookup({ by: 'telegram', value: '770077007' })).toEqual({ ok: true, lookup: { kind: 'identity', identity: { channel: 'telegram', userId: '770077007' } } });
    expect(parseCustomerLookup({ by: 'slack', value: 'T0TEAM0001/U0CANARY1' })).toEqual({ ok: true, lookup: { kind: 'identity', identity: { channel: 'slack', userId: 'U0CANARY1', teamId: 'T0TEAM0001' } } });
    expect(parseCustomerLookup({ by: 'web', value: 'abcDEF_123-x' })).toEqual({ ok: true, lookup: { kind: 'identity', identity: { channel: 'web', userId: 'abcDEF_123-x' } } });
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(parseCustomerLookup({ by: 'phone', value: 'call me' })).toEqual({ ok: false, errors: [expect.stringMatching(/^value: expected a phone number/) as unknown] });
    expect(parseCustomerLookup({ by: 'telegram', value: 'anna' })).toMatchObject({ ok: false });
    expect(parseCustomerLookup({ by: 'fax', value: '1' })).toEqual({ ok: false, errors: [expect.stringMatching(/^by: expected one of number, phone/) as unknown] });
    expect(parseCustomerLookup({ by: 'email', value: '' })).toMatchObject({ ok: false });
  });

  it('collects identities, chats, phones and e-mails of the claims, skipping erased ones', () => {
    const web = claimFixture({ id: 'a', customer: { channel: 'web', userId: 'visitor1' }, conversation: { channel: 'web', chatId: 'visitor1' }, contact: { name: 'A', email: 'a@example.com' } });
    const telegram = claimFixture({ id: 'b' });
    const erased = erasedClaim(claimFixture({ id: 'c', contact: { name: 'C', phone: '+79990000000' } }), 'erased:x', CREATED);
    const traits = customerTraits([web, telegram, erased]);
    expect(traits.identities).toEqual([{ channel: 'web', userId: 'visitor1' }, { channel: 'telegram', userId: '1001' }]);
    expect(traits.chats).toEqual([{ channel: 'web', chatId: 'visitor1' }, { channel: 'telegram', chatId: '1001' }]);
    expect(traits.phones).toEqual(['+79123456789']);
    expect(traits.emails).toEqual(['a@example.com']);
  });
});

describe('whether to erase', () => {
  const head = { roles: ['head' as const] };
  const quality = { roles: ['quality' as const] };
  const open = { status: 'in_review' as const, number: '2026-000002' };
  const closed = { status: 'closed' as const, number: '2026-000001' };

  it('erases a customer whose claims are all closed or resolved', () => {
    expect(erasureDecision([closed, { status: 'resolved', number: '2026-000003' }], quality, false)).toEqual({ forced: false });
  });

  it('refuses while a claim is open, naming it, even when quality asks to force', () => {
    expect(erasureDecision([closed, open], quality, false)).toEqual({ refused: 'open_claims', openNumbers: ['2026-000002'] });
    expect(erasureDecision([closed, open], quality, true)).toEqual({ refused: 'open_claims', openNumbers: ['2026-000002'] });
  });

  it('lets a head force it, recorded as forced; an erased open claim does not count', () => {
    expect(erasureDecision([open], head, true)).toEqual({ forced: true });
    expect(erasureDecision([open], head, false)).toMatchObject({ refused: 'open_claims' });
    expect(erasureDecision([{ ...open, erasedAt: CREATED }], quality, false)).toEqual({ forced: false });
  });
});

describe('retention', () => {
  it('is due for closed claims closed before the cutoff, not yet erased', () => {
    const cutoff = retentionCutoff(new Date('2029-06-01T00:00:00Z'), 1095);
    expect(cutoff).toEqual(new Date('2026-06-02T00:00:00Z'));
    expect(retentionDue({ status: 'closed', closedAt: new Date('2026-06-01T00:00:00Z') }, cutoff)).toBe(true);
    expect(retentionDue({ status: 'closed', closedAt: new Date('2026-06-02T00:00:00Z') }, cutoff)).toBe(false);
    expect(retentionDue({ status: 'resolved' }, cutoff)).toBe(false);
    expect(retentionDue({ status: 'closed', closedAt: new Date('2026-01-01T00:00:00Z'), erasedAt: new Date() }, cutoff)).toBe(false);
  });
});
