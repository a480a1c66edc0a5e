import { describe, expect, it } from 'vitest';
import { Decision, essenceOf, fillTemplate, formatAmount, parseAmount, unknownPlaceholders, ESSENCE_MAX } from '../../src/domain/decision.js';
import { isRefusal, plan, type ChangePolicy } from '../../src/domain/claim-changes.js';
import { SlaPolicyConfig, SurveyConfig } from '../../src/domain/desk.js';
import { registrationEvent, type Claim } from '../../src/domain/lifecycle.js';
import { StaffRequest, fieldProblems } from '../../src/domain/staff-request.js';
import { claimFixture, changed } from '../support/claims.js';

/** The decision (#25): amounts as people type them, the templates' placeholders, who decided; replies and notes. */

describe('parseAmount', () => {
  const ok = (typed: string, currency?: string) => {
    const parsed = parseAmount(typed, currency);
    if (!parsed.ok) throw new Error(`"${typed}" refused: ${parsed.problem}`);
    return parsed;
  };

  it.each([
    ['1 299,90', 129990],
    ['1299.90 ₽', 129990],
    ['12', 1200],
    ['1\u00a0299,9', 129990],
    ['1\u202f299', 129900],
    ["1'299.5", 129950],
    ['1,299', 129900],
    ['1.299,90', 129990],
    ['1,299.90', 129990],
    ['1 000 000', 100000000],
    ['0,01', 1],
    ['  7 руб.  ', 700],
    ['7р', 700],
    ['RUB 15', 1500],
    ['15 rub', 1500],
  ])('reads "%s" as %i hundredths', (typed, minor) => {
    expect(ok(typed).minor).toBe(minor);
  });

  it('names the currency the text names', () => {
    expect(ok('$12')).toEqual({ ok: true, minor: 1200, currency: 'USD' });
    expect(ok('1299.90 ₽')).toEqual({ ok: true, minor: 129990, currency: 'RUB' });
    expect(ok('12 EUR')).toEqual({ ok: true, minor: 1200, currency: 'EUR' });
    expect(ok('12')).toEqual({ ok: true, minor: 1200 });
  });

  it('refuses another currency than the desk\'s', () => {
    expect(parseAmount('$12', 'RUB')).toEqual({ ok: false, problem: 'other_currency' });
    expect(parseAmount('12 ₽', 'RUB')).toEqual({ ok: true, minor: 1200, currency: 'RUB' });
  });

  it.each([
    ['', 'not_a_number'],
    ['abc', 'not_a_number'],
    ['12,3,4', 'not_a_number'],
    ['1.299.90', 'not_a_number'],
    ['1,29,90', 'not_a_number'],
    ['12.345', undefined],
    ['1e5', 'not_a_number'],
    ['0', 'not_positive'],
    ['0,00', 'not_positive'],
    ['-5', 'not_positive'],
    ['12.3.4', 'not_a_number'],
    ['99999999999', 'too_large'],
    ['1 2', undefined],
  ])('"%s" → %s', (typed, problem) => {
    const parsed = parseAmount(typed);
    if (problem === undefined) expect(parsed.ok).toBe(true);
    else expect(parsed).toEqual({ ok: false, problem });
  });
});

describe('formatAmount', () => {
  it('writes amounts as each language does, whole amounts without decimals', () => {
    expect(formatAmount({ minor: 129990, currency: 'RUB' }, 'ru')).toBe('1\u00a0299,90\u00a0₽');
    expect(formatAmount({ minor: 120000, currency: 'RUB' }, 'ru')).toBe('1\u00a0200\u00a0₽');
    expect(formatAmount({ minor: 129990, currency: 'USD' }, 'en')).toBe('US$1,299.90');
    expect(formatAmount({ minor: 1200, currency: 'EUR' }, 'en')).toBe('€12');
  });
});

describe('essenceOf', () => {
  it('takes the first sentence or line', () => {
    expect(essenceOf('The kettle leaks. I bought it last week.')).toBe('The kettle leaks.');
    expect(essenceOf('Чайник течёт\nКупила неделю назад')).toBe('Чайник течёт');
    expect(essenceOf('  Wrong   size  ')).toBe('Wrong size');
  });

  it('cuts a long sentence at a word, with an ellipsis', () => {
    const essence = essenceOf(`${'word '.repeat(60)}end`);
    expect(essence.length).toBeLessThanOrEqual(ESSENCE_MAX);
    expect(essence.endsWith('word…')).toBe(true);
  });
});

describe('template placeholders', () => {
  it('knows the eight placeholders and names any other', () => {
    expect(unknownPlaceholders('{number} {date} {essence} {decision} {remedy} {amount} {measures} {signer}')).toEqual([]);
    expect(unknownPlaceholders('Claim {number}: {remedi}, {remedi}, {Amount}')).toEqual(['remedi', 'Amount']);
    expect(unknownPlaceholders('{ number } {number')).toEqual([]);
  });

  it('fills only the placeholders that have values', () => {
    expect(fillTemplate('{number}: {remedy} {amount}', { number: '2026-000123', amount: '' })).toBe('2026-000123: {remedy} ');
  });
});

describe('Decision', () => {
  it('still reads decisions stored before partial acceptance, amounts and who decided', () => {
    expect(Decision.safeParse({ outcome: 'accepted', remedy: 'refund', responseText: 'We refund.' }).success).toBe(true);
    expect(Decision.safeParse({ outcome: 'rejected', reason: 'spam', responseText: 'No.' }).success).toBe(true);
  });

  it('carries the remedy and an amount when accepted in part; a rejection carries no amount', () => {
    expect(Decision.safeParse({ outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 50000, currency: 'RUB' }, responseText: 'Half.', decidedBy: 'ivan' }).success).toBe(true);
    expect(Decision.safeParse({ outcome: 'partially_accepted', responseText: 'Half.' }).success).toBe(false);
    expect(Decision.safeParse({ outcome: 'rejected', reason: 'other', amount: { minor: 1, currency: 'RUB' }, responseText: 'No.' }).success).toBe(false);
    expect(Decision.safeParse({ outcome: 'accepted', remedy: 'refund', amount: { minor: 12.5, currency: 'RUB' }, responseText: 'x' }).success).toBe(false);
    expect(Decision.safeParse({ outcome: 'accepted', remedy: 'refund', amount: { minor: 0, currency: 'RUB' }, responseText: 'x' }).success).toBe(false);
  });
});

describe('StaffRequest: the decision as staff send it', () => {
  it('reads the typed amount, and leaves an empty one out', () => {
    const parsed = StaffRequest.parse({ action: 'resolve', decision: { outcome: 'partially_accepted', remedy: 'refund', amount: '1 299,90 ₽', responseText: 'x' } });
    expect(parsed).toEqual({ action: 'resolve', decision: { outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 129990, currency: 'RUB' }, responseText: 'x' } });
    const empty = StaffRequest.parse({ action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', amount: '  ', responseText: 'x' } });
    expect(empty.action === 'resolve' && empty.decision.outcome !== 'rejected' ? empty.decision.amount : 'missing').toBeUndefined();
  });

  it('names a bad amount as its own problem of the amount field', () => {
    const result = StaffRequest.safeParse({ action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', amount: 'twelve', responseText: 'x' } });
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldProblems(result.error)).toEqual({ 'decision.amount': { problem: 'invalid_amount' } });
  });

  it('takes reply and note texts within their limits', () => {
    expect(StaffRequest.parse({ action: 'reply', text: '  We sent it today. ' })).toEqual({ action: 'reply', text: 'We sent it today.' });
    expect(StaffRequest.safeParse({ action: 'note', text: '   ' }).success).toBe(false);
    const long = StaffRequest.safeParse({ action: 'note', text: 'x'.repeat(4001) });
    expect(long.success).toBe(false);
    if (!long.success) expect(fieldProblems(long.error)).toEqual({ text: { problem: 'text_too_long', max: 4000 } });
  });
});

// ---- the plans: who decided, replies and notes

const created = new Date('2026-05-01T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * 3_600_000);
const policy: ChangePolicy = { survey: SurveyConfig.parse({}), slaWarnAtShare: 0.75, claimsWork: { sla: SlaPolicyConfig.parse({}), timezone: 'UTC', warrantyMonths: {}, causeCategories: [] }, decisions: { rejectionsOf: ['high', 'critical'], escalateAfterHours: 24, staff: [] } };

function claim(extra: Partial<Claim> = {}): Claim {
  return claimFixture({ concerns: {}, status: 'in_review', ...extra });
}

describe('who decided', () => {
  it('is the staff member acting, whatever the command says', () => {
    const decision = { outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 50000, currency: 'RUB' }, responseText: 'Half.', decidedBy: 'sergey' } as const;
    const result = changed(plan(claim(), { type: 'move', command: { action: 'resolve', decision }, actor: { kind: 'staff', staffId: 'ivan' } }, policy, at(2)));
    expect(result.set.decision).toEqual({ ...decision, decidedBy: 'ivan' });
    expect(result.events[0]?.decision?.decidedBy).toBe('ivan');
  });

  it('is nobody for the system', () => {
    const decision = { outcome: 'rejected', reason: 'spam', responseText: 'No.', decidedBy: 'sergey' } as const;
    const result = changed(plan(claim(), { type: 'move', command: { action: 'resolve', decision }, actor: { kind: 'system', reason: 'test' } }, policy, at(2)));
    expect(result.set.decision).toEqual({ outcome: 'rejected', reason: 'spam', responseText: 'No.' });
  });
});

describe('replies and notes', () => {
  const reply = (extra: Record<string, unknown> = {}) => ({ type: 'staff_message', kind: 'reply', staffId: 'ivan', text: 'We sent a courier.', ...extra }) as const;
  const note = (extra: Record<string, unknown> = {}) => ({ type: 'staff_message', kind: 'note', staffId: 'ivan', text: 'Called the warehouse.', ...extra }) as const;

  it('a reply tells the customer, keeps the status, and is the first response', () => {
    for (const status of ['new', 'in_review', 'investigating', 'awaiting_customer'] as const) {
      const result = changed(plan(claim({ status }), reply(), policy, at(3)));
      expect(result.events).toHaveLength(1);
      expect(result.events[0]).toMatchObject({ type: 'staff_reply', note: 'We sent a courier.', notifyCustomer: true, actor: { kind: 'staff', staffId: 'ivan' } });
      expect(result.set).toEqual({ firstResponseAt: at(3), firstResponseMs: 3 * 3_600_000, firstResponseWithinSla: true });
      expect(result.set).not.toHaveProperty('status');
    }
  });

  it('a reply after the first response leaves it as it was', () => {
    const result = changed(plan(claim({ firstResponseAt: at(1), firstResponseMs: 3_600_000, firstResponseWithinSla: true }), reply(), policy, at(30)));
    expect(result.set).toEqual({});
    expect(result.events).toHaveLength(1);
  });

  it('a reply is refused once the claim is resolved or closed', () => {
    for (const status of ['resolved', 'closed'] as const) {
      const result = plan(claim({ status }), reply(), policy, at(3));
      expect(isRefusal(result) ? result.refusal : 'changed').toBe('INVALID_TRANSITION');
    }
  });

  it('a note is for staff only, at any status, and is no response to the customer', () => {
    for (const status of ['new', 'in_review', 'resolved', 'closed'] as const) {
      const result = changed(plan(claim({ status }), note(), policy, at(3)));
      expect(result.events[0]).toMatchObject({ type: 'staff_note', note: 'Called the warehouse.', notifyCustomer: false });
      expect(result.set).toEqual({});
    }
  });

  it('the same event id twice changes nothing (a Slack message handled once)', () => {
    const first = changed(plan(claim(), note({ eventId: 'sl:C1:1.2', source: 'slack_thread' }), policy, at(3)));
    expect(first.events[0]).toMatchObject({ id: 'sl:C1:1.2', source: 'slack_thread' });
    const again = changed(plan(claim({ history: [registrationEvent(created), ...first.events] }), note({ eventId: 'sl:C1:1.2', source: 'slack_thread' }), policy, at(4)));
    expect(again.events).toEqual([]);
  });

  it('an empty text is refused', () => {
    expect(isRefusal(plan(claim(), reply({ text: '  ' }), policy, at(3)))).toBe(true);
  });

  describe('with files from the console', () => {
    const file = (n: number, sizeBytes = 1_000) => ({ channel: 'web', kind: 'document', fileId: `f${String(n)}`, fileName: `act-${String(n)}.pdf`, mimeType: 'application/pdf', sizeBytes }) as const;
    const refusalOf = (extra: Record<string, unknown>) => {
      const result = plan(claim(), reply(extra), policy, at(3));
      return isRefusal(result) ? result.refusal : 'changed';
    };

    it('a reply keeps its files on the event the customer is told of', () => {
      const result = changed(plan(claim(), reply({ files: [file(1), file(2)] }), policy, at(3)));
      expect(result.events[0]).toMatchObject({ type: 'staff_reply', notifyCustomer: true, replyFiles: [file(1), file(2)] });
    });

    it('refuses files on a note, more than five, one over 10 MB, over 15 MB together, or a file the desk does not store', () => {
      expect(changed(plan(claim(), reply({ files: [1, 2, 3, 4, 5].map((n) => file(n)) }), policy, at(3))).events[0]?.replyFiles).toHaveLength(5);
      expect(isRefusal(plan(claim(), note({ files: [file(1)] }), policy, at(3)))).toBe(true);
      expect(refusalOf({ files: [1, 2, 3, 4, 5, 6].map((n) => file(n)) })).toBe('INVALID_CLAIM');
      expect(refusalOf({ files: [file(1, 10 * 1024 * 1024 + 1)] })).toBe('INVALID_CLAIM');
      expect(changed(plan(claim(), reply({ files: [file(1, 10 * 1024 * 1024)] }), policy, at(3))).events).toHaveLength(1);
      expect(refusalOf({ files: [file(1, 8 * 1024 * 1024), file(2, 8 * 1024 * 1024)] })).toBe('INVALID_CLAIM');
      expect(refusalOf({ files: [{ ...file(1), channel: 'telegram' }] })).toBe('INVALID_CLAIM');
      expect(refusalOf({ files: [] })).toBe('INVALID_CLAIM');
    });
  });
});
