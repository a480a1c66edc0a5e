import { beforeAll, describe, expect, it } from 'vitest';
import { ClaimDraft, type ClaimDraftInput } from '../src/domain/claim.js';
import type { DeskConfig, StaffMember } from '../src/domain/desk.js';
import { isRefusal, plan, changePolicy } from '../src/domain/claim-changes.js';
import { isDomainError } from '../src/domain/errors.js';
import { registrationEvent, type Claim } from '../src/domain/lifecycle.js';
import type { DecisionDraft } from '../src/domain/staff-request.js';
import { staffById } from '../src/domain/staff.js';
import { decisionOf, measuresText, templateDraft } from '../src/decision-text.js';
import { formatDateTime } from '../src/i18n/index.js';
import { customerNotice } from '../flows/notices.js';
import { draft, exampleDesk } from './support/fixtures.js';

/**
 * The decision's words (#25) from the template staff pick to the notice the customer receives, for
 * each outcome in Russian and English, against the exact texts.
 */

const created = new Date('2026-05-04T09:30:00Z');
let desk: DeskConfig;
let ivan: StaffMember;

beforeAll(async () => {
  desk = await exampleDesk();
  const found = staffById(desk, 'ivan');
  if (!found) throw new Error('no ivan in the example desk');
  ivan = found;
});

function makeClaim(draftOverrides: Partial<ClaimDraftInput> = {}): Claim {
  return {
    ...ClaimDraft.parse(draft({ description: 'The kettle stopped heating after two days. It is a gift.', ...draftOverrides })),
    id: 'claim-0001',
    number: '2026-000123',
    status: 'in_review',
    version: 2,
    department: 'quality',
    createdAt: created,
    updatedAt: created,
    sla: { firstResponseDueAt: new Date(created.getTime() + 86_400_000), resolutionDueAt: new Date(created.getTime() + 864_000_000), firstResponseHours: 24, resolutionHours: 240 },
    reopenCount: 0,
    history: [registrationEvent(created)],
  };
}

/** A decision draft without its reply (each outcome's own fields). */
type Choices = DecisionDraft extends infer D ? (D extends unknown ? Omit<D, 'responseText'> : never) : never;

/** Decides a claim as Ivan from a template and the choices, and answers the customer's notice text. */
function noticeFor(claim: Claim, templateId: string, choices: Choices): string {
  const template = desk.templates.find((candidate) => candidate.id === templateId);
  if (!template) throw new Error(`no template ${templateId}`);
  const decision = decisionOf(desk, claim, ivan, { ...choices, responseText: templateDraft(desk, claim, template, ivan) });
  const planned = plan(claim, { type: 'move', command: { action: 'resolve', decision }, actor: { kind: 'staff', staffId: ivan.id } }, changePolicy(desk), new Date(created.getTime() + 3_600_000));
  if (isRefusal(planned)) throw new Error(planned.message);
  const event = planned.events[0];
  if (!event) throw new Error('no event');
  const notice = customerNotice(desk, claim, event);
  if (notice === undefined || notice === 'in_dialog') throw new Error('no notice');
  return notice.text;
}

describe('the decision the customer receives', () => {
  const ruDate = () => formatDateTime(created, 'ru', 'Europe/Moscow');
  const enDate = () => formatDateTime(created, 'en', 'Europe/Moscow');

  it('accepted, in Russian: the remedy staff chose (not the one asked for), signed', () => {
    // the customer asked for a replacement; staff decide a refund
    const text = noticeFor(makeClaim({ locale: 'ru', desiredRemedy: 'replacement' }), 'accepted-replacement', { outcome: 'accepted', remedy: 'refund' });
    expect(text).toBe(
      `Решение по вашей претензии № 2026-000123: претензия удовлетворена.\n\nПо вашей претензии № 2026-000123 от ${ruDate()} принято решение: возврат денег. Приносим извинения за неудобства.\n\nРешение принял(а): Ivan Petrov, специалист по рекламациям`,
    );
  });

  it('accepted, in English', () => {
    const text = noticeFor(makeClaim({ locale: 'en', desiredRemedy: 'refund' }), 'accepted-replacement', { outcome: 'accepted', remedy: 'replacement' });
    expect(text).toBe(
      `Decision on your claim No. 2026-000123: it is accepted.\n\nYour claim No. 2026-000123 of ${enDate()} is accepted: replacement. We apologise for the inconvenience.\n\nDecided by: Ivan Petrov, claims specialist`,
    );
  });

  it('partially accepted with an amount, in Russian: the essence, the decision in words, the amount in the desk\'s currency', () => {
    const text = noticeFor(makeClaim({ locale: 'ru' }), 'partial-refund', { outcome: 'partially_accepted', remedy: 'refund', amount: { minor: 129990 } });
    expect(text).toBe(
      `Решение по вашей претензии № 2026-000123: претензия удовлетворена частично.\n\nМы рассмотрели претензию № 2026-000123 от ${ruDate()} («The kettle stopped heating after two days.»). Претензия удовлетворена частично: возврат денег, 1\u00a0299,90\u00a0₽. Приносим извинения за неудобства.\n\nРешение принял(а): Ivan Petrov, специалист по рекламациям`,
    );
  });

  it('partially accepted with an amount, in English', () => {
    const text = noticeFor(makeClaim({ locale: 'en' }), 'partial-refund', { outcome: 'partially_accepted', remedy: 'discount', amount: { minor: 50000, currency: 'RUB' } });
    expect(text).toBe(
      `Decision on your claim No. 2026-000123: it is partially accepted.\n\nWe have reviewed claim No. 2026-000123 of ${enDate()} ("The kettle stopped heating after two days."). Your claim is partially accepted: discount, RUB\u00a0500. We apologise for the inconvenience.\n\nDecided by: Ivan Petrov, claims specialist`,
    );
  });

  it('rejected, in Russian and English', () => {
    expect(noticeFor(makeClaim({ locale: 'ru' }), 'rejected-not-covered', { outcome: 'rejected', reason: 'not_covered' })).toBe(
      `Решение по вашей претензии № 2026-000123:\n\nМы внимательно рассмотрели претензию № 2026-000123 от ${ruDate()}. К сожалению, случай не покрывается гарантией, потому что …\n\nРешение принял(а): Ivan Petrov, специалист по рекламациям`,
    );
    expect(noticeFor(makeClaim({ locale: 'en' }), 'rejected-not-covered', { outcome: 'rejected', reason: 'not_covered' })).toBe(
      `Decision on your claim No. 2026-000123:\n\nWe have carefully reviewed claim No. 2026-000123 of ${enDate()}. Unfortunately the case is not covered by the warranty because …\n\nDecided by: Ivan Petrov, claims specialist`,
    );
  });

  it('signs with the name alone for a member without a position, and not twice when the text names the signer', () => {
    const claim = makeClaim({ locale: 'en' });
    const olga = staffById(desk, 'olga');
    if (!olga) throw new Error('no olga');
    const decision = decisionOf(desk, claim, olga, { outcome: 'accepted', remedy: 'repair', responseText: 'We will {remedy} it. {signer}' });
    expect(decision.responseText).toBe('We will repair it. Olga Smirnova');
    const planned = plan(claim, { type: 'move', command: { action: 'resolve', decision }, actor: { kind: 'staff', staffId: 'olga' } }, changePolicy(desk), new Date());
    if (isRefusal(planned) || !planned.events[0]) throw new Error('refused');
    const notice = customerNotice(desk, claim, planned.events[0]);
    expect(notice !== undefined && notice !== 'in_dialog' ? notice.text : '').toBe('Decision on your claim No. 2026-000123: it is accepted.\n\nWe will repair it. Olga Smirnova');
  });

  it('leaves out the signature of a decision stored before who decided was recorded', () => {
    const claim = makeClaim({ locale: 'en' });
    const event = { id: 'e1', at: created, actor: { kind: 'staff', staffId: 'ivan' }, type: 'status_changed', action: 'resolve', from: 'in_review', to: 'resolved', notifyCustomer: true, decision: { outcome: 'accepted', remedy: 'refund', responseText: 'We refund.' } } as const;
    const notice = customerNotice(desk, claim, event);
    expect(notice !== undefined && notice !== 'in_dialog' ? notice.text : '').toBe('Decision on your claim No. 2026-000123: it is accepted.\n\nWe refund.');
  });

  it('refuses an amount typed in another currency than the desk\'s', () => {
    let error: unknown;
    try {
      decisionOf(desk, makeClaim(), ivan, { outcome: 'accepted', remedy: 'refund', amount: { minor: 1200, currency: 'USD' }, responseText: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(isDomainError(error, 'INVALID_CLAIM')).toBe(true);
  });

  it('tells the customer a staff reply, with how to answer; a note is never told', () => {
    const claim = makeClaim({ locale: 'ru' });
    const reply = { id: 'r1', at: created, actor: { kind: 'staff', staffId: 'ivan' }, type: 'staff_reply', note: 'Курьер приедет завтра.', notifyCustomer: true } as const;
    const notice = customerNotice(desk, claim, reply);
    expect(notice !== undefined && notice !== 'in_dialog' ? notice.text : '').toBe('По вашей претензии № 2026-000123:\n\nКурьер приедет завтра.\n\nЧтобы ответить, отправьте /add 2026-000123.');
    const note = { ...reply, id: 'n1', type: 'staff_note', notifyCustomer: false } as const;
    expect(customerNotice(desk, claim, note)).toBeUndefined();
  });
});

describe('the measures taken ({measures}, from the claim\'s corrective actions)', () => {
  const reply = (text: string, measures: Parameters<typeof decisionOf>[4]) =>
    decisionOf(desk, makeClaim(), ivan, { outcome: 'accepted', remedy: 'replacement', responseText: text }, measures).responseText;

  it('says one sentence per kind of action, in the customer\'s language, in a fixed order, never the actions\' own words', () => {
    expect(measuresText('en', ['preventive', 'corrective', 'corrective'])).toBe('We are removing the cause of the problem. We are taking steps so that it does not happen again.');
    expect(measuresText('ru', ['correction'])).toBe('Мы устраняем последствия в вашем случае.');
    expect(reply('Claim {number}: {measures}', ['corrective'])).toBe('Claim 2026-000123: Мы устраняем причину проблемы.');
  });

  it('is empty without actions, and the template picked keeps the placeholder until the decision is sent', () => {
    expect(reply('Done. {measures}', [])).toBe('Done.');
    const template = { id: 't', outcome: 'accepted' as const, title: { ru: 'Т', en: 'T' }, text: { ru: 'Меры: {measures}', en: 'Measures: {measures}' } };
    expect(templateDraft(desk, makeClaim(), template, ivan)).toBe('Меры: {measures}');
  });
});
