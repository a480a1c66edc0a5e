import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setupDesk, TestChat, type DeskUnderTest } from '../support/chat.js';
import type { Claim, ClaimEvent } from '../../src/domain/lifecycle.js';
import type { Locale } from '../../src/domain/locale.js';
import { formatDateTime, t } from '../../src/i18n/index.js';

const env = setupDesk('status');

const ivan = { kind: 'staff', staffId: 'ivan' } as const;
const MINUTE = 60_000;

/** Registers a claim of this chat's customer directly, a minute after the previous change. */
/** A staff action, a minute after the previous change. */
async function staff(claim: Claim, command: Parameters<DeskUnderTest['registry']['apply']>[1]): Promise<Claim> {
  env.app.clock.advance(MINUTE);
  return env.app.registry.apply(claim.id, command, ivan);
}

async function fresh(claim: Claim): Promise<Claim> {
  const found = await env.app.claims.findById(claim.id);
  if (!found) throw new Error(`claim ${claim.number} vanished`);
  return found;
}

function when(at: Date, locale: Locale): string {
  return formatDateTime(at, locale, env.desk.desk.timezone);
}

function categoryLabel(id: string, locale: Locale): string {
  const category = env.desk.categories.find((c) => c.id === id);
  if (!category) throw new Error(`no category ${id}`);
  return category.label[locale];
}

function eventOf(claim: Claim, predicate: (event: ClaimEvent) => boolean): ClaimEvent {
  const event = claim.history.find(predicate);
  if (!event) throw new Error(`no such event on ${claim.number}`);
  return event;
}

/** Asserts the lines appear in the text in this order. */
function expectInOrder(text: string, lines: readonly string[]): void {
  let from = 0;
  for (const line of lines) {
    const at = text.indexOf(line, from);
    expect(at, `"${line}" after position ${from} in:\n${text}`).toBeGreaterThanOrEqual(0);
    from = at + line.length;
  }
}

async function allClaims(): Promise<unknown[]> {
  return env.db.db.collection('claims').find({}, { sort: { number: 1 } }).toArray();
}

/** A claim that went the whole way: registered, taken, a question, the answer, resolved in the customer's favour. */
async function resolvedClaimOf(chat: TestChat, locale: Locale): Promise<Claim> {
  const claim = await env.app.registerFor(chat, { category: 'refund', description: 'Charged twice for order ORD-7781.', locale });
  await staff(claim, { action: 'take' });
  await staff(claim, { action: 'request_info', question: locale === 'ru' ? 'Пришлите, пожалуйста, выписку из банка.' : 'Please send the bank statement.' });
  env.app.clock.advance(MINUTE);
  await env.app.registry.addCustomerInfo(claim.id, { channel: 'telegram', userId: chat.from.userId }, { text: 'Statement attached.', attachments: [] }, `info:${randomUUID()}`);
  await staff(claim, {
    action: 'resolve',
    decision: { outcome: 'accepted', remedy: 'refund', responseText: locale === 'ru' ? 'Вернём 4 990 ₽ в течение 10 дней.' : 'We will refund 4,990 RUB within 10 days.' },
  });
  return fresh(claim);
}

describe('/status with no claims', () => {
  it('answers kindly and offers to file a new claim', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/status');
    expect(chat.replies).toHaveLength(1);
    expect(chat.text).toBe(t('en', 'status.none'));
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.new_report')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    await chat.press(t('en', 'button.new_report'));
    expect(chat.text).toContain(t('en', 'ask.intake.kind'));
    expect((await env.app.stateOf(chat))?.flowId).toBe('intake');
  });

  it('answers in Russian for a Russian-speaking customer', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    await chat.send('/status');
    expect(chat.text).toBe(t('ru', 'status.none'));
    expect(chat.choices.map((c) => c.label)).toEqual([t('ru', 'button.new_report')]);
  });
});

describe('/status with several claims', () => {
  it('lists them newest first with number, short title, status and last change', async () => {
    const chat = new TestChat(env.app.runner);
    const kettle = await env.app.registerFor(chat, { category: 'defect', description: 'The kettle leaks from the lid.' });
    const parcel = await env.app.registerFor(chat, {
      category: 'delivery',
      description: 'The parcel arrived crushed and two of the glasses inside were broken into pieces.',
    });
    const refund = await env.app.registerFor(chat, { category: 'refund', description: 'No refund for the returned lamp.' });
    const kettleTaken = await staff(kettle, { action: 'take' });
    await staff(parcel, { action: 'take' });
    const parcelAsked = await staff(parcel, { action: 'request_info', question: 'Please send a photo of the box.' });

    await chat.send('/status');
    expect(chat.replies).toHaveLength(1);
    const text = chat.text;
    const lines = text.split('\n');
    expect(lines[0]).toBe(t('en', 'status.list_title'));
    expect(lines.at(-1)).toBe(t('en', 'status.pick_hint'));

    // newest first: refund, parcel, kettle; each with its status words and its last change
    const line = (claim: Claim, title: string) =>
      t('en', 'status.line', { number: claim.number, title, status: t('en', `status.${claim.status}`), changed: when(claim.updatedAt, 'en') });
    expectInOrder(text, [
      `1. ${line(refund, `${categoryLabel('refund', 'en')}: No refund for the returned lamp.`)}`,
      `2. ${parcel.number} — ${categoryLabel('delivery', 'en')}: The parcel arrived crushed`,
      `\n   ${t('en', 'status.awaiting_customer')}, `,
      `3. ${line(kettleTaken, `${categoryLabel('defect', 'en')}: The kettle leaks from the lid.`)}`,
    ]);
    expect(text).toContain(`${t('en', 'status.awaiting_customer')}, last change ${when(parcelAsked.updatedAt, 'en')}`);
    expect(text).toContain(`${t('en', 'status.new')}, last change ${when(refund.createdAt, 'en')}`);
    expect(text).toContain(`${t('en', 'status.in_review')}, last change ${when(kettleTaken.updatedAt, 'en')}`);
    // a long description is shortened in the list
    expect(text).not.toContain(parcel.description);
    expect(text).toMatch(/Delivery: late, damaged or wrong item: The parcel arrived crushed and two[^\n]*…\n/);

    expect(chat.choices.map((c) => c.label)).toEqual([refund.number, parcel.number, kettle.number]);
    const state = await env.app.stateOf(chat);
    expect(state?.flowId).toBe('status');
    expect(state?.stepId).toBe('pick');
  });

  it('shows the detail card with the history in plain words when a number is pressed', async () => {
    const chat = new TestChat(env.app.runner);
    await env.app.registerFor(chat, { description: 'An older claim about the toaster.' });
    const claim = await resolvedClaimOf(chat, 'en');

    await chat.send('/status');
    await chat.press(claim.number);
    expect(chat.replies).toHaveLength(1);
    const text = chat.text;
    const at = (type: ClaimEvent['type'], action?: string) => when(eventOf(claim, (e) => e.type === type && e.action === action).at, 'en');
    expectInOrder(text, [
      t('en', 'detail.title', { number: claim.number, date: when(claim.createdAt, 'en') }),
      categoryLabel('refund', 'en'),
      t('en', 'detail.status', { status: t('en', 'status.resolved') }),
      t('en', 'detail.description', { text: 'Charged twice for order ORD-7781.' }),
      t('en', 'detail.decision', { text: 'We will refund 4,990 RUB within 10 days.' }),
      t('en', 'detail.history'),
      `${at('registered')} — ${t('en', 'history.registered')}`,
      `${at('status_changed', 'take')} — ${t('en', 'history.take')}`,
      `${at('status_changed', 'request_info')} — ${t('en', 'history.request_info', { question: 'Please send the bank statement.' })}`,
      `${at('customer_info')} — ${t('en', 'history.customer_info')}`,
      `${at('status_changed', 'customer_replied')} — ${t('en', 'history.customer_replied')}`,
      `${at('status_changed', 'resolve')} — ${t('en', 'history.accepted', { remedy: t('en', 'remedy.refund') })}`,
    ]);
    // nothing is due any more on a resolved claim, and nothing can be added to it; its decision may be disputed (#25)
    expect(text).not.toContain('We will reply by');
    expect(text).not.toContain('A decision is due by');
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.dispute'), t('en', 'button.all_claims')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    // "My claims" goes back to the list
    await chat.press(t('en', 'button.all_claims'));
    expect(chat.text.split('\n')[0]).toBe(t('en', 'status.list_title'));
    expect(chat.choices.map((c) => c.label)).toEqual([claim.number, expect.any(String)]);
  });

  it('shows the detail card and the list in Russian', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    const claim = await resolvedClaimOf(chat, 'ru');
    const open = await env.app.registerFor(chat, { category: 'defect', description: 'Чайник протекает из-под крышки.' });

    await chat.send('/status');
    const list = chat.text;
    expect(list.split('\n')[0]).toBe(t('ru', 'status.list_title'));
    expect(list).toContain(
      `1. ${t('ru', 'status.line', { number: open.number, title: `${categoryLabel('defect', 'ru')}: Чайник протекает из-под крышки.`, status: t('ru', 'status.new'), changed: when(open.updatedAt, 'ru') })}`,
    );
    expect(list).toContain(`2. ${claim.number} — ${categoryLabel('refund', 'ru')}: Charged twice for order ORD-7781.\n   ${t('ru', 'status.resolved')}, последнее изменение ${when(claim.updatedAt, 'ru')}`);
    expect(list.split('\n').at(-1)).toBe(t('ru', 'status.pick_hint'));

    await chat.press(claim.number);
    const text = chat.text;
    const at = (type: ClaimEvent['type'], action?: string) => when(eventOf(claim, (e) => e.type === type && e.action === action).at, 'ru');
    expectInOrder(text, [
      t('ru', 'detail.title', { number: claim.number, date: when(claim.createdAt, 'ru') }),
      categoryLabel('refund', 'ru'),
      t('ru', 'detail.status', { status: t('ru', 'status.resolved') }),
      t('ru', 'detail.decision', { text: 'Вернём 4 990 ₽ в течение 10 дней.' }),
      t('ru', 'detail.history'),
      `${at('registered')} — ${t('ru', 'history.registered')}`,
      `${at('status_changed', 'take')} — ${t('ru', 'history.take')}`,
      `${at('status_changed', 'request_info')} — ${t('ru', 'history.request_info', { question: 'Пришлите, пожалуйста, выписку из банка.' })}`,
      `${at('status_changed', 'resolve')} — ${t('ru', 'history.accepted', { remedy: t('ru', 'remedy.refund') })}`,
    ]);
    expect(chat.choices.map((c) => c.label)).toEqual([t('ru', 'button.dispute'), t('ru', 'button.all_claims')]);

    // the open one says when we will answer and can take more information
    await chat.send(`/status ${open.number}`);
    expect(chat.text).toContain(t('ru', 'detail.status', { status: t('ru', 'status.new') }));
    expect(chat.text).toContain(t('ru', 'detail.response_due', { due: when(open.sla.firstResponseDueAt, 'ru') }));
    expect(chat.choices.map((c) => c.label)).toEqual([t('ru', 'button.add_info'), t('ru', 'button.all_claims')]);
  });

  it('names the kind of claim in the card as a noun, not as the answer to "what would you like to file?"', async () => {
    const ru = new TestChat(env.app.runner, { languageCode: 'ru' });
    const complaint = await env.app.registerFor(ru, { kind: 'complaint', category: 'service', description: 'Оператор бросил трубку.' });
    await ru.send(`/status ${complaint.number}`);
    expect(ru.text.split('\n')[1]).toBe(`${t('ru', 'detail.kind.complaint')} · ${categoryLabel('service', 'ru')}`);
    expect(ru.text.split('\n')[1]).toMatch(/^Жалоба · /);

    const en = new TestChat(env.app.runner, { languageCode: 'en' });
    const claim = await env.app.registerFor(en, { kind: 'quality_claim' });
    await en.send(`/status ${claim.number}`);
    expect(en.text.split('\n')[1]).toBe(`Quality claim · ${categoryLabel('defect', 'en')}`);
  });
});

describe('/status <number> and typed picks', () => {
  it('shows the card for /status <number>, in full or short form', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await env.app.registerFor(chat);
    await staff(claim, { action: 'take' });
    const taken = await fresh(claim);

    await chat.send(`/status ${claim.number}`);
    const card = chat.text;
    expect(card.split('\n')[0]).toBe(t('en', 'detail.title', { number: claim.number, date: when(claim.createdAt, 'en') }));
    expect(card).toContain(t('en', 'detail.status', { status: t('en', 'status.in_review') }));
    expect(card).toContain(t('en', 'detail.resolution_due', { due: when(taken.sla.resolutionDueAt, 'en') }));
    expect(card).toContain(`${when(eventOf(taken, (e) => e.action === 'take').at, 'en')} — ${t('en', 'history.take')}`);
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.add_info'), t('en', 'button.all_claims')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    const [year, seq] = claim.number.split('-');
    await chat.send(`/status ${year ?? ''}-${Number(seq)}`);
    expect(chat.text).toBe(card);
    await chat.send(`/status №${claim.number}`);
    expect(chat.text).toBe(card);
  });

  it('takes the list position or the number typed after /status', async () => {
    const chat = new TestChat(env.app.runner);
    const older = await env.app.registerFor(chat, { description: 'The older claim about a blender.' });
    const newer = await env.app.registerFor(chat, { description: 'The newer claim about a mixer.' });

    await chat.send('/status');
    await chat.send('1');
    expect(chat.text.split('\n')[0]).toBe(t('en', 'detail.title', { number: newer.number, date: when(newer.createdAt, 'en') }));

    await chat.send('/status');
    await chat.send('2');
    expect(chat.text.split('\n')[0]).toBe(t('en', 'detail.title', { number: older.number, date: when(older.createdAt, 'en') }));

    await chat.send('/status');
    await chat.send(` ${older.number} `);
    expect(chat.text.split('\n')[0]).toBe(t('en', 'detail.title', { number: older.number, date: when(older.createdAt, 'en') }));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    // a position past the end of the list is not a claim
    await chat.send('/status');
    await chat.send('3');
    expect(chat.text).toBe(t('en', 'status.not_found', { number: '3' }));
  });
});

describe('a customer sees only their own claims', () => {
  it('answers another customer\'s number exactly like a number that does not exist', async () => {
    const owner = new TestChat(env.app.runner);
    const theirs = await env.app.registerFor(owner, { description: 'Private: the neighbour\'s claim about a fridge.' });
    const chat = new TestChat(env.app.runner);
    const mine = await env.app.registerFor(chat);
    const missing = '2026-987654';
    const masked = (text: string, number: string) => text.split(number).join('<number>');

    await chat.send(`/status ${missing}`);
    const notFound = chat.text;
    expect(notFound).toBe(t('en', 'status.not_found', { number: missing }));

    await chat.send(`/status ${theirs.number}`);
    expect(masked(chat.text, theirs.number)).toBe(masked(notFound, missing));
    expect(chat.text).not.toContain('fridge');
    expect(chat.choices).toEqual([]);

    // typed in the list
    await chat.send('/status');
    expect(chat.text).not.toContain(theirs.number);
    expect(chat.choices.map((c) => c.label)).toEqual([mine.number]);
    await chat.send(theirs.number);
    expect(masked(chat.text, theirs.number)).toBe(masked(notFound, missing));

    // a forged button for someone else's claim
    await chat.deliver({ type: 'choice', choiceId: `g.s:${theirs.number}` });
    const forged = chat.text;
    await chat.deliver({ type: 'choice', choiceId: `g.s:${missing}` });
    expect(masked(forged, theirs.number)).toBe(masked(chat.text, missing));
    expect(forged).not.toContain('fridge');

    // and the owner still sees it
    await owner.send(`/status ${theirs.number}`);
    expect(owner.text).toContain('fridge');
  });

  it('answers operator-looking text as not found and changes nothing', async () => {
    const other = new TestChat(env.app.runner);
    await env.app.registerFor(other);
    const chat = new TestChat(env.app.runner);
    await env.app.registerFor(chat);
    const before = await allClaims();

    for (const probe of ['{"$gt": ""}', '{"$ne": null}', "2026-000001' || '1'=='1", '[$regex]=.*']) {
      await chat.send(`/status ${probe}`);
      expect(chat.text).toBe(t('en', 'status.not_found', { number: probe }));
      expect(chat.choices).toEqual([]);
      expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    }
    // typed under the list it is not a pick but a message of its own: it starts a report (the
    // text kept as a possible description), and still reaches no query
    await chat.send('/status');
    await chat.send('{"$gt": ""}');
    expect(chat.text).toContain(t('en', 'intake.greeting', { desk: 'Claims desk' }));
    expect((await env.app.stateOf(chat))?.answers).toMatchObject({ firstMessage: '{"$gt": ""}' });

    expect(await allClaims()).toEqual(before);
  });
});

describe('the "Status of …" button on the registration message', () => {
  it('still shows the claim later, after other dialogs and a restart', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/start');
    await chat.press(t('en', 'kind.claim'));
    await chat.press(categoryLabel('defect', 'en'));
    await chat.send('Kettle KT-200');
    await chat.press(t('en', 'button.skip'));
    await chat.send('The kettle stopped heating after two days.');
    await chat.press(t('en', 'button.no_files'));
    await chat.press(t('en', 'remedy.replacement'));
    await chat.press('Anna');
    await chat.send('+7 912 345-67-89');
    await chat.press(t('en', 'button.submit'));
    const [claim] = await env.app.claims.listForCustomer({ channel: 'telegram', userId: chat.from.userId });
    if (!claim) throw new Error('the intake registered nothing');
    expect(chat.text).toContain(claim.number);
    const statusButton = chat.choice(t('en', 'button.status_of', { number: claim.number }));

    // other things happen meanwhile: the list, help, staff take the claim, the process restarts
    await chat.send('/status');
    await chat.send('/help');
    await staff(claim, { action: 'take' });
    chat.useRunner(env.app.restart());
    await chat.send('/add');
    expect((await env.app.stateOf(chat))?.flowId).toBe('add_info');

    await chat.deliver({ type: 'choice', choiceId: statusButton.id });
    expect(chat.result?.notice).toBeUndefined();
    expect(chat.text.split('\n')[0]).toBe(t('en', 'detail.title', { number: claim.number, date: when(claim.createdAt, 'en') }));
    expect(chat.text).toContain(t('en', 'detail.status', { status: t('en', 'status.in_review') }));
    expect(chat.text).toContain(t('en', 'history.take'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });
});
