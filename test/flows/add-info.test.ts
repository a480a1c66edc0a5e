import { describe, expect, it } from 'vitest';
import { photo, setupDesk, TestChat } from '../support/chat.js';
import type { Claim, ClaimCommand, ClaimEvent } from '../../src/domain/lifecycle.js';
import { t } from '../../src/i18n/index.js';

const env = setupDesk('addinfo');

const ivan = { kind: 'staff', staffId: 'ivan' } as const;
const MINUTE = 60_000;

/** Staff actions, one after another, a minute apart. */
async function staff(claim: Claim, ...commands: ClaimCommand[]): Promise<Claim> {
  let current = claim;
  for (const command of commands) {
    env.app.clock.advance(MINUTE);
    current = await env.app.registry.apply(claim.id, command, ivan);
  }
  return current;
}

async function fresh(claim: Claim): Promise<Claim> {
  const found = await env.app.claims.findById(claim.id);
  if (!found) throw new Error(`claim ${claim.number} vanished`);
  return found;
}

function infoEvents(claim: Claim): ClaimEvent[] {
  return claim.history.filter((e) => e.type === 'customer_info');
}

const resolve = { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: 'We will refund the full price.' } } as const;
const question = (text: string) => ({ action: 'request_info', question: text }) as const;

describe('/add with nothing open', () => {
  it('says there is no open claim and offers a new one', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/add');
    expect(chat.text).toBe(t('en', 'add.none'));
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.new_report')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('does not count resolved and closed claims as open', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    const resolved = await staff(await env.app.registerFor(chat), resolve);
    const closed = await staff(await env.app.registerFor(chat), resolve, { action: 'close' });
    await chat.send('/add');
    expect(chat.text).toBe(t('ru', 'add.none'));
    expect(await fresh(resolved)).toEqual(resolved);
    expect(await fresh(closed)).toEqual(closed);
  });
});

describe('/add with one open claim', () => {
  it('records text, then photos, on the claim and leaves its staff-side status alone', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' });

    await chat.send('/add');
    expect(chat.text).toBe(t('en', 'ask.add.content', { number: claim.number }));
    expect(chat.last.expects).toBe('text');
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.done')]);

    await chat.send('  The serial number is KT200-55-0917.  ');
    expect(chat.text).toBe(`${t('en', 'add.added', { number: claim.number })}\n\n${t('en', 'ask.add.content', { number: claim.number })}`);
    let now = await fresh(claim);
    expect(infoEvents(now)).toHaveLength(1);
    expect(infoEvents(now)[0]).toMatchObject({ actor: { kind: 'customer' }, note: 'The serial number is KT200-55-0917.', notifyCustomer: false });
    expect(infoEvents(now)[0]?.attachments).toBeUndefined();

    await chat.sendFiles([photo(1), photo(2)]);
    expect(chat.text).toContain(t('en', 'add.added', { number: claim.number }));
    now = await fresh(claim);
    expect(infoEvents(now)).toHaveLength(2);
    expect(infoEvents(now)[1]?.attachments).toEqual([photo(1), photo(2)]);
    expect(infoEvents(now)[1]?.note).toBeUndefined();

    // a caption travels with its photo
    await chat.sendFiles([photo(3)], 'The label on the bottom');
    now = await fresh(claim);
    expect(infoEvents(now)[2]).toMatchObject({ note: 'The label on the bottom', attachments: [photo(3)] });

    await chat.press(t('en', 'button.done'));
    expect(chat.text).toBe(t('en', 'add.finished'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    // the staff still have it under review; nothing but the three additions changed its history
    expect(now.status).toBe('in_review');
    expect(now.history.map((e) => e.type)).toEqual(['registered', 'status_changed', 'customer_info', 'customer_info', 'customer_info']);
    expect(now.history.some((e) => e.action === 'customer_replied')).toBe(false);

    // and the customer sees it in the claim's history
    await chat.send(`/status ${claim.number}`);
    expect(chat.text).toContain(t('en', 'history.customer_info'));
    expect(chat.text).toContain(t('en', 'history.customer_files', { count: 2 }));
  });

  it('asks again, without recording anything, for an empty message or a sticker', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await env.app.registerFor(chat);
    await chat.send('/add');
    await chat.send('   ');
    expect(chat.text).toBe(`${t('en', 'invalid.empty')}\n\n${t('en', 'ask.add.content', { number: claim.number })}`);
    await chat.deliver({ type: 'unsupported', what: 'sticker' });
    expect(chat.text).toBe(`${t('en', 'invalid.unsupported')}\n\n${t('en', 'ask.add.content', { number: claim.number })}`);
    expect(await fresh(claim)).toEqual(claim);
    expect((await env.app.stateOf(chat))?.stepId).toBe('content');
  });
});

describe('/add with several open claims', () => {
  it('lets the customer pick one and records only on that one', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    const first = await env.app.registerFor(chat, { description: 'Чайник не греет воду.' });
    const resolved = await staff(await env.app.registerFor(chat, { description: 'Старая решённая претензия.' }), resolve);
    const second = await env.app.registerFor(chat, { category: 'delivery', description: 'Посылка пришла мятой.' });

    await chat.send('/add');
    const list = chat.text;
    expect(list.split('\n')[0]).toBe(t('ru', 'add.pick'));
    expect(list).toContain(`1. ${second.number} — `);
    expect(list).toContain(`2. ${first.number} — `);
    expect(list).not.toContain(resolved.number);
    expect(chat.choices.map((c) => c.label)).toEqual([second.number, first.number, t('ru', 'button.cancel')]);
    expect((await env.app.stateOf(chat))?.stepId).toBe('pick');

    await chat.press(first.number);
    expect(chat.text).toBe(t('ru', 'ask.add.content', { number: first.number }));
    await chat.send('Чек прилагаю отдельно.');
    expect(chat.text).toContain(t('ru', 'add.added', { number: first.number }));

    expect(infoEvents(await fresh(first)).map((e) => e.note)).toEqual(['Чек прилагаю отдельно.']);
    expect(await fresh(second)).toEqual(second);
    expect(await fresh(resolved)).toEqual(resolved);
  });

  it('keeps a photo sent instead of a pick for the claim picked next', async () => {
    const chat = new TestChat(env.app.runner);
    const first = await env.app.registerFor(chat);
    const second = await env.app.registerFor(chat);

    await chat.send('/add');
    await chat.sendFiles([photo(8), photo(9)]);
    expect(chat.text.split('\n')[0]).toBe(t('en', 'add.pick_for_message'));
    expect(await fresh(first)).toEqual(first);
    expect(await fresh(second)).toEqual(second);

    await chat.press(second.number);
    expect(chat.text).toContain(t('en', 'add.added', { number: second.number }));
    expect(infoEvents(await fresh(second))).toMatchObject([{ attachments: [photo(8), photo(9)] }]);
    expect(await fresh(first)).toEqual(first);
  });

  it('takes the position typed as text, and "Cancel" records nothing', async () => {
    const chat = new TestChat(env.app.runner);
    const first = await env.app.registerFor(chat);
    const second = await env.app.registerFor(chat);

    await chat.send('/add');
    await chat.send('2');
    expect(chat.text).toBe(t('en', 'ask.add.content', { number: first.number }));

    await chat.send('/add');
    await chat.press(t('en', 'button.cancel'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    expect(await fresh(first)).toEqual(first);
    expect(await fresh(second)).toEqual(second);
  });
});

describe('a claim that is no longer open', () => {
  it('refuses politely for a resolved or closed claim and changes nothing', async () => {
    const chat = new TestChat(env.app.runner);
    const resolved = await staff(await env.app.registerFor(chat), { action: 'take' }, resolve);
    const closed = await staff(await env.app.registerFor(chat), resolve, { action: 'close' });

    await chat.send(`/add ${resolved.number}`);
    expect(chat.text).toBe(t('en', 'add.closed', { number: resolved.number, status: t('en', 'status.resolved') }));
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.new_report')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    await chat.send(`/add ${closed.number}`);
    expect(chat.text).toBe(t('en', 'add.closed', { number: closed.number, status: t('en', 'status.closed') }));

    // a text sent afterwards is not slipped onto the closed claims: it starts a new report
    await chat.send('It is still broken, please help.');
    expect((await env.app.stateOf(chat))?.flowId).toBe('intake');
    expect(await fresh(resolved)).toEqual(resolved);
    expect(await fresh(closed)).toEqual(closed);
  });

  it('refuses through the "Add information" button of a card shown before the claim was resolved', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await env.app.registerFor(chat);
    await chat.send(`/status ${claim.number}`);
    const addButton = chat.choice(t('en', 'button.add_info'));
    const resolved = await staff(claim, resolve);

    await chat.deliver({ type: 'choice', choiceId: addButton.id });
    expect(chat.text).toBe(t('en', 'add.closed', { number: claim.number, status: t('en', 'status.resolved') }));
    expect(await fresh(claim)).toEqual(resolved);
  });

  it('does not add a message to a claim resolved while the customer was typing it', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await env.app.registerFor(chat);
    await chat.send('/add');
    expect((await env.app.stateOf(chat))?.stepId).toBe('content');
    const resolved = await staff(claim, resolve);

    await chat.send('One more detail: it also smells of burning.');
    expect(chat.text).toBe(t('en', 'add.no_longer_open', { number: claim.number }));
    expect(await fresh(claim)).toEqual(resolved);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('answers another customer\'s number like a missing one', async () => {
    const owner = new TestChat(env.app.runner);
    const theirs = await env.app.registerFor(owner);
    const chat = new TestChat(env.app.runner);
    await env.app.registerFor(chat);

    await chat.send(`/add ${theirs.number}`);
    expect(chat.text).toBe(t('en', 'status.not_found', { number: theirs.number }));
    await chat.deliver({ type: 'choice', choiceId: `g.a:${theirs.number}` });
    expect(chat.text).toBe(t('en', 'status.not_found', { number: theirs.number }));
    await chat.send('This must not reach the other customer\'s claim.');
    expect(await fresh(theirs)).toEqual(theirs);
  });
});

describe('when the staff asked the customer a question', () => {
  it('takes a free message as the answer and returns the claim to where it was', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, question('What is the serial number?'));
    expect(claim.status).toBe('awaiting_customer');

    await chat.send('It is KT200-55-0917.');
    expect(chat.replies).toHaveLength(1);
    expect(chat.text).toBe(t('en', 'add.answer_received', { number: claim.number }));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    const now = await fresh(claim);
    expect(now.status).toBe('in_review');
    expect(now.resumeStatus).toBeUndefined();
    expect(now.history.slice(-2)).toMatchObject([
      { type: 'customer_info', note: 'It is KT200-55-0917.', actor: { kind: 'customer' } },
      { type: 'status_changed', action: 'customer_replied', from: 'awaiting_customer', to: 'in_review' },
    ]);
    // no intake was started with it
    expect(await env.app.claims.listForCustomer({ channel: 'telegram', userId: chat.from.userId })).toHaveLength(1);
  });

  it('takes photos as the answer, and returns an investigated claim to the investigation', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, { action: 'investigate' }, question('Пришлите фото этикетки.'));

    await chat.sendFiles([photo(7)], 'Вот этикетка');
    expect(chat.text).toBe(t('ru', 'add.answer_received', { number: claim.number }));
    const now = await fresh(claim);
    expect(now.status).toBe('investigating');
    expect(infoEvents(now)).toMatchObject([{ note: 'Вот этикетка', attachments: [photo(7)] }]);
  });

  it('asks which claim when two are waiting, and records the message on the one picked', async () => {
    const chat = new TestChat(env.app.runner);
    const first = await staff(await env.app.registerFor(chat, { description: 'The first claim, about a kettle.' }), { action: 'take' }, question('Which shop?'));
    const second = await staff(await env.app.registerFor(chat, { category: 'delivery', description: 'The second claim, about a parcel.' }), { action: 'take' }, question('Which courier?'));

    await chat.send('The courier was from FastPost.');
    expect(chat.text.split('\n')[0]).toBe(t('en', 'add.pick_for_message'));
    expect(chat.choices.map((c) => c.label)).toEqual([second.number, first.number, t('en', 'button.cancel')]);
    // nothing is recorded before the customer says where it goes
    expect(await fresh(first)).toEqual(first);
    expect(await fresh(second)).toEqual(second);

    await chat.press(second.number);
    expect(chat.text).toContain(t('en', 'add.answer_received', { number: second.number }));
    expect(chat.text).toContain(t('en', 'ask.add.content', { number: second.number }));
    const answered = await fresh(second);
    expect(answered.status).toBe('in_review');
    expect(infoEvents(answered).map((e) => e.note)).toEqual(['The courier was from FastPost.']);
    expect(await fresh(first)).toEqual(first);

    await chat.press(t('en', 'button.done'));
    expect(chat.text).toBe(t('en', 'add.finished'));
    expect(infoEvents(await fresh(second))).toHaveLength(1);
  });

  it('keeps a second message sent before the customer picked, and a cancel records nothing', async () => {
    const chat = new TestChat(env.app.runner);
    const first = await staff(await env.app.registerFor(chat), { action: 'take' }, question('Which shop?'));
    const second = await staff(await env.app.registerFor(chat), { action: 'take' }, question('Which courier?'));
    const third = await staff(await env.app.registerFor(chat), { action: 'take' }, question('Which colour?'));

    await chat.send('It was the shop on Tverskaya.');
    await chat.sendFiles([photo(5)], 'Here is the receipt');
    expect(chat.text.split('\n')[0]).toBe(t('en', 'add.pick_for_message'));
    expect(await fresh(first)).toEqual(first);

    await chat.send('3');
    expect(chat.text).toContain(t('en', 'add.answer_received', { number: first.number }));
    expect(infoEvents(await fresh(first))).toMatchObject([{ note: 'It was the shop on Tverskaya.\nHere is the receipt', attachments: [photo(5)] }]);
    expect(await fresh(second)).toEqual(second);
    expect(await fresh(third)).toEqual(third);

    // a message the customer then decides not to send anywhere
    await chat.send('/cancel');
    await chat.send('Forget it, wrong chat.');
    expect(chat.text.split('\n')[0]).toBe(t('en', 'add.pick_for_message'));
    await chat.press(t('en', 'button.cancel'));
    expect(chat.text).toBe(t('en', 'add.cancelled'));
    expect(infoEvents(await fresh(first))).toHaveLength(1);
    expect(await fresh(second)).toEqual(second);
    expect(await fresh(third)).toEqual(third);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('records a redelivered update only once', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, question('When did you buy it?'));

    const first = await chat.deliver({ type: 'text', text: 'On the 3rd of November.' }, 'same-id');
    expect(first.outcome).toBe('handled');
    const answered = await fresh(claim);
    const again = await chat.deliver({ type: 'text', text: 'On the 3rd of November.' }, 'same-id');
    expect(again.outcome).toBe('duplicate');
    expect(again.replies).toEqual([]);

    const now = await fresh(claim);
    expect(now).toEqual(answered);
    expect(infoEvents(now)).toHaveLength(1);
    expect(now.history.filter((e) => e.action === 'customer_replied')).toHaveLength(1);
    // the customer was thanked once
    expect(env.app.channel.to(chat.from.chatId).filter((m) => m.text === t('en', 'add.answer_received', { number: claim.number }))).toHaveLength(1);
  });

  it('records redelivered files in the /add dialog only once', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await env.app.registerFor(chat);
    await chat.send('/add');
    await chat.deliver({ type: 'files', attachments: [photo(4)] }, 'files-1');
    await chat.deliver({ type: 'files', attachments: [photo(4)] }, 'files-1');
    expect(chat.result?.outcome).toBe('duplicate');
    expect(infoEvents(await fresh(claim))).toHaveLength(1);
  });
});

describe('after /status, and idling', () => {
  it('takes a reply typed under the status list as the answer to the waiting claim', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, question('What is the serial number?'));
    await chat.send('/status');
    expect((await env.app.stateOf(chat))?.flowId).toBe('status');
    await chat.send('The serial is 12345.');
    expect(chat.text).toBe(t('en', 'add.answer_received', { number: claim.number }));
    const now = await fresh(claim);
    expect(now.status).toBe('in_review');
    expect(infoEvents(now).map((e) => e.note)).toEqual(['The serial is 12345.']);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('a photo sent under the status list goes to the waiting claim too', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, question('A photo of the label, please.'));
    await chat.send('/status');
    await chat.sendFiles([photo(61)]);
    expect(infoEvents(await fresh(claim)).map((e) => e.attachments?.map((a) => a.fileId))).toEqual([[photo(61).fileId]]);
  });

  it('refuses 21 files for a waiting claim with the file limit, and records nothing', async () => {
    const chat = new TestChat(env.app.runner);
    const claim = await staff(await env.app.registerFor(chat), { action: 'take' }, question('Photos, please.'));
    await chat.sendFiles(Array.from({ length: 21 }, (_, i) => photo(300 + i)));
    expect(chat.text).toBe(t('en', 'files.too_many', { max: 20 }));
    expect((await fresh(claim)).status).toBe('awaiting_customer');
    expect(infoEvents(await fresh(claim))).toEqual([]);
  });

  it('/cancel after adding information thanks the customer instead of saying nothing was submitted', async () => {
    const chat = new TestChat(env.app.runner);
    await env.app.registerFor(chat);
    await chat.send('/add');
    await chat.send('One more detail: it happened twice.');
    await chat.send('/cancel');
    expect(chat.text).toBe(t('en', 'add.finished'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('the idle sweep closes a status list or an /add dialog silently, and an unfinished report with a message', async () => {
    const idleMinutes = env.desk.conversation.idleMinutes;
    const lister = new TestChat(env.app.runner);
    await env.app.registerFor(lister);
    await lister.send('/status');
    const adder = new TestChat(env.app.runner);
    await env.app.registerFor(adder);
    await adder.send('/add');
    const reporter = new TestChat(env.app.runner);
    await reporter.send('/new');
    const sent = (chat: TestChat) => env.app.channel.to(chat.from.chatId).length;
    const before = [sent(lister), sent(adder), sent(reporter)];

    env.app.clock.advance((idleMinutes + 1) * MINUTE);
    await env.app.runner.expireIdle();
    expect([sent(lister), sent(adder), sent(reporter)]).toEqual([before[0], before[1], (before[2] ?? 0) + 1]);
    expect(env.app.channel.to(reporter.from.chatId).at(-1)?.text).toBe(t('en', 'idle.closed', { minutes: idleMinutes }));
    for (const chat of [lister, adder, reporter]) expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    // coming back later to a status list: no "unfinished claim" message either
    await lister.send('/status');
    env.app.clock.advance((idleMinutes + 1) * MINUTE);
    await lister.send('/help');
    expect(lister.text).not.toContain(t('en', 'idle.closed', { minutes: idleMinutes }));
  });
});
