import { describe, expect, it } from 'vitest';
import { photo, setupDesk, TestChat } from '../support/chat.js';
import { ConversationRunner } from '../../flows/runner.js';
import type { ConversationStore } from '../../flows/state.js';
import type { Locale } from '../../src/domain/locale.js';
import { formatDateTime, t } from '../../src/i18n/index.js';

const env = setupDesk('intake');

/** The part of the state an answer may change (not the turn counter or the clock). */
async function dialogOf(chat: TestChat) {
  const state = await env.app.stateOf(chat);
  return { flowId: state?.flowId, stepId: state?.stepId, answers: state?.answers, trail: state?.trail };
}

function claimsOf(chat: TestChat) {
  return env.app.claims.listForCustomer({ channel: chat.from.channel, userId: chat.from.userId });
}

/** Answers the intake in a fixed way until the chat stands at `target` (a step id or 'confirm'). */
async function fillTo(chat: TestChat, target: string, locale: Locale = 'en'): Promise<void> {
  if ((await env.app.stateOf(chat))?.flowId !== 'intake') await chat.send('/new');
  for (let guard = 0; guard < 15; guard++) {
    const step = (await env.app.stateOf(chat))?.stepId;
    if (step === target) return;
    switch (step) {
      case 'kind':
        await chat.press(t(locale, 'kind.claim'));
        break;
      case 'category':
        await chat.press(locale === 'en' ? 'Defective product' : 'Брак или дефект товара');
        break;
      case 'product':
        await chat.send('Kettle KT-200');
        break;
      case 'order':
        await chat.send('ORD-5512');
        break;
      case 'amount':
        await chat.send('1 299,90');
        break;
      case 'purchaseDate':
        await chat.press(t(locale, 'button.yesterday'));
        break;
      case 'description':
        await chat.send('The kettle stopped heating after two days.');
        break;
      case 'consent':
        await chat.press(t(locale, 'button.consent_agree'));
        break;
      case 'files':
        await chat.press(t(locale, 'button.no_files'));
        break;
      case 'remedy':
        await chat.press(t(locale, 'remedy.replacement'));
        break;
      case 'reuse':
        await chat.press(t(locale, 'button.reuse_contact'));
        break;
      case 'name':
        await chat.send('Anna Petrova');
        break;
      case 'reach':
        await chat.send('8 (912) 345-67-89');
        break;
      default:
        throw new Error(`unexpected step ${String(step)}`);
    }
  }
  throw new Error(`never reached ${target}`);
}

describe('the intake, step by step', () => {
  it('in English: from /start to a registered claim with its number, what happens next and by when', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'en-GB' });
    await chat.send('/start');
    expect(chat.text).toContain(t('en', 'intake.greeting', { desk: 'Claims desk' }));
    expect(chat.last.text).toContain(t('en', 'ask.intake.kind'));
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'kind.claim'), t('en', 'kind.complaint'), t('en', 'kind.quality_claim')]);

    await chat.press(t('en', 'kind.claim'));
    expect(chat.last.text).toBe(t('en', 'ask.intake.category'));
    // complaint-only "service" is not offered for a claim
    expect(chat.choices.map((c) => c.label)).toEqual(['Defective product', 'Delivery: late, damaged or wrong item', 'Refund', 'Something else', '« Back']);

    await chat.press('Defective product');
    expect(chat.last.text).toBe(t('en', 'ask.intake.product'));
    await chat.send('  Kettle KT-200 ');
    expect(chat.last.text).toBe(t('en', 'ask.intake.order'));
    await chat.press('Skip');
    expect(chat.last.text).toBe(t('en', 'ask.intake.description'));
    await chat.send('The kettle stopped heating after two days.');
    expect(chat.last.text).toBe(t('en', 'ask.intake.files', { max: 20 }));
    expect(chat.last.expects).toBe('files');
    await chat.sendFiles([photo(1), photo(2)]);
    expect(chat.last.text).toContain(t('en', 'files.kept', { count: 2 }));
    await chat.sendFiles([photo(3)]);
    expect(chat.last.text).toContain(t('en', 'files.kept', { count: 3 }));
    await chat.press(t('en', 'button.files_done', { count: 3 }));
    expect(chat.last.text).toBe(t('en', 'ask.intake.remedy'));
    await chat.press('Replacement');
    expect(chat.last.text).toBe(t('en', 'ask.intake.name'));
    // the channel's display name is offered
    await chat.press('Anna');
    expect(chat.last.text).toBe(t('en', 'ask.intake.reach'));
    expect(chat.last.expects).toBe('contact');
    await chat.send('+7 912 345-67-89');

    expect(chat.last.text).toContain(t('en', 'summary.title'));
    for (const line of ['Topic: Defective product', 'Product: Kettle KT-200', 'Order or batch: —', 'Description: The kettle stopped heating after two days.', 'Files: 3', 'You ask for: Replacement', 'Contact: Anna, +79123456789']) {
      expect(chat.last.text).toContain(line);
    }
    await chat.press(t('en', 'button.submit'));

    const [claim] = await claimsOf(chat);
    expect(claim).toBeDefined();
    if (!claim) return;
    expect(claim).toMatchObject({
      kind: 'claim',
      category: 'defect',
      concerns: { product: 'Kettle KT-200' },
      description: 'The kettle stopped heating after two days.',
      desiredRemedy: 'replacement',
      contact: { name: 'Anna', phone: '+79123456789' },
      customer: { channel: 'telegram', userId: chat.from.userId },
      conversation: { channel: 'telegram', chatId: chat.from.chatId },
      locale: 'en',
      status: 'new',
      department: 'quality',
    });
    expect(claim.concerns.orderOrBatch).toBeUndefined();
    expect(claim.attachments.map((a) => a.fileId)).toEqual([photo(1).fileId, photo(2).fileId, photo(3).fileId]);
    expect(chat.last.text).toBe(
      t('en', 'registered', {
        number: claim.number,
        date: formatDateTime(claim.createdAt, 'en', env.desk.desk.timezone),
        department: 'Quality department',
        due: formatDateTime(claim.sla.firstResponseDueAt, 'en', env.desk.desk.timezone),
      }),
    );
    expect(claim.sla.firstResponseDueAt.getTime() - claim.createdAt.getTime()).toBe(24 * 3_600_000);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('in Russian, with an e-mail instead of a phone', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru-RU', displayName: 'Иван' });
    await chat.send('/new');
    expect(chat.text).toContain(t('ru', 'intake.greeting', { desk: 'Служба претензий' }));
    await fillTo(chat, 'reach', 'ru');
    await chat.send('Ivan.Petrov@Example.COM');
    expect(chat.last.text).toContain('Контакт: Anna Petrova, ivan.petrov@example.com');
    expect(chat.last.text).toContain('Заказ или партия: ORD-5512');
    await chat.press(t('ru', 'button.submit'));
    const [claim] = await claimsOf(chat);
    expect(claim?.locale).toBe('ru');
    expect(claim?.contact).toEqual({ name: 'Anna Petrova', email: 'ivan.petrov@example.com' });
    expect(claim?.concerns).toEqual({ product: 'Kettle KT-200', orderOrBatch: 'ORD-5512' });
    expect(chat.last.text).toMatch(/^Ваша претензия № 2026-\d{6} от /);
    expect(chat.last.text).toContain('её рассмотрит Отдел качества');
  });

  it('a second claim offers the contact given last time, and never touches the first claim', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    const [first] = await claimsOf(chat);

    await chat.press(t('en', 'button.new_report'));
    await fillTo(chat, 'reuse');
    expect(chat.last.text).toBe(t('en', 'ask.intake.reuse', { contact: 'Anna Petrova, +79123456789' }));
    await chat.press(t('en', 'button.reuse_contact'));
    expect(chat.last.text).toContain('Contact: Anna Petrova, +79123456789');
    await chat.press(t('en', 'button.submit'));

    const claims = await claimsOf(chat);
    expect(claims).toHaveLength(2);
    expect(claims[0]?.number).not.toBe(first?.number);
    const again = await env.app.claims.findById(first?.id ?? '');
    expect(again?.version).toBe(first?.version);
    expect(again?.status).toBe('new');

    // "no, others" asks for the name and the phone again
    await chat.press(t('en', 'button.new_report'));
    await fillTo(chat, 'reuse');
    await chat.press(t('en', 'button.other_contact'));
    expect(chat.last.text).toBe(t('en', 'ask.intake.name'));
  });

  it('offers the first message as the description, so nothing the customer wrote is lost', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('Hello, my new kettle leaks from the bottom!');
    expect(chat.text).toContain(t('en', 'intake.greeting', { desk: 'Claims desk' }));
    await fillTo(chat, 'description');
    await chat.press(t('en', 'button.use_first_message'));
    await fillTo(chat, 'confirm');
    expect(chat.last.text).toContain('Description: Hello, my new kettle leaks from the bottom!');
  });

  it('takes the caption of a photo sent at the description step as the description', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'description');
    await chat.sendFiles([photo(7)], 'The handle broke off on the first day.');
    expect(chat.text).toContain(t('en', 'files.kept', { count: 1 }));
    expect(chat.last.text).toContain(t('en', 'ask.intake.files', { max: 20 }));
    const state = await env.app.stateOf(chat);
    expect(state?.answers['description']).toBe('The handle broke off on the first day.');
  });

  it('"back" forgets the previous answer and asks it again', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'description');
    await chat.press('« Back');
    expect(chat.last.text).toBe(t('en', 'ask.intake.order'));
    expect((await env.app.stateOf(chat))?.answers['order']).toBeUndefined();
    await chat.send('ORD-1');
    expect(chat.last.text).toBe(t('en', 'ask.intake.description'));
    await chat.send('/back');
    expect(chat.last.text).toBe(t('en', 'ask.intake.order'));
  });

  it('accepts a choice typed as its number or its label', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'remedy');
    await chat.send('3');
    expect(chat.last.text).toBe(t('en', 'ask.intake.name'));
    expect((await env.app.stateOf(chat))?.answers['remedy']).toBe('refund');
    const other = new TestChat(env.app.runner);
    await fillTo(other, 'remedy');
    await other.send('  DISCOUNT ');
    expect((await env.app.stateOf(other))?.answers['remedy']).toBe('discount');
  });

  it('takes a shared phone contact', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'reach');
    await chat.deliver({ type: 'contact', phone: '79123456789', name: 'Anna' });
    expect(chat.last.text).toContain('Contact: Anna Petrova, +79123456789');
  });
});

describe('editing from the summary card', () => {
  const edits: { field: string; answer: (chat: TestChat) => Promise<unknown>; expected: string }[] = [
    { field: 'product', answer: (chat) => chat.send('Toaster T-1'), expected: 'Product: Toaster T-1' },
    { field: 'order', answer: (chat) => chat.press('Skip'), expected: 'Order or batch: —' },
    { field: 'description', answer: (chat) => chat.send('It smells of burnt plastic when switched on.'), expected: 'Description: It smells of burnt plastic when switched on.' },
    { field: 'files', answer: async (chat) => { await chat.sendFiles([photo(9)]); await chat.press(t('en', 'button.files_done', { count: 1 })); }, expected: 'Files: 1' },
    { field: 'remedy', answer: (chat) => chat.press('Refund'), expected: 'You ask for: Refund' },
    { field: 'contact', answer: async (chat) => { await chat.send('Boris'); await chat.send('boris@example.com'); }, expected: 'Contact: Boris, boris@example.com' },
    // a category that asks more (#25): its fields are asked before the card comes back
    { field: 'category', answer: async (chat) => { await chat.press('Refund'); await chat.send('1 299,90 ₽'); await chat.press(t('en', 'button.skip')); }, expected: 'Topic: Refund\nProduct: Kettle KT-200\nOrder or batch: ORD-5512\nAmount: RUB\u00a01,299.90\nBought on: —' },
  ];
  for (const edit of edits) {
    it(`changes the ${edit.field} and comes back to the card`, async () => {
      const chat = new TestChat(env.app.runner);
      await fillTo(chat, 'confirm');
      await chat.press(t('en', `button.edit.${edit.field}` as 'button.edit.kind'));
      await edit.answer(chat);
      expect(chat.last.text).toContain(t('en', 'summary.title'));
      expect(chat.last.text).toContain(edit.expected);
      expect((await env.app.stateOf(chat))?.stepId).toBe('confirm');
    });
  }

  it('changing the kind asks the topic again when the old one is not offered for the new kind', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.edit.kind'));
    await chat.press(t('en', 'kind.complaint'));
    expect(chat.last.text).toBe(t('en', 'ask.intake.category'));
    expect(chat.choices.map((c) => c.label)).toContain('Quality of service');
    expect(chat.choices.map((c) => c.label)).not.toContain('Defective product');
    await chat.press('Quality of service');
    expect(chat.last.text).toContain('Type: Complaint');
    expect(chat.last.text).toContain('Topic: Quality of service');
    await chat.press(t('en', 'button.submit'));
    const [claim] = await claimsOf(chat);
    expect(claim).toMatchObject({ kind: 'complaint', category: 'service', department: 'support' });
  });

  it('keeps the topic when the new kind offers it too', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.edit.kind'));
    await chat.press(t('en', 'kind.quality_claim'));
    expect(chat.last.text).toContain('Topic: Defective product');
  });

  it('"Cancel" on the card registers nothing', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.cancel'));
    expect(chat.text).toBe(t('en', 'cancel.done'));
    expect(await claimsOf(chat)).toHaveLength(0);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
  });

  it('text on the card asks to use the buttons and changes nothing', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    const before = await dialogOf(chat);
    await chat.send('yes');
    expect(chat.text).toContain(t('en', 'intake.use_buttons'));
    expect(await dialogOf(chat)).toEqual(before);
  });
});

describe('bad input gets a polite re-ask and changes nothing', () => {
  const cases: { name: string; at: string; send: (chat: TestChat) => Promise<unknown>; reply: string }[] = [
    { name: 'empty text', at: 'description', send: (chat) => chat.send(''), reply: t('en', 'invalid.empty') },
    { name: 'whitespace only', at: 'description', send: (chat) => chat.send(' \n\t \u200b '), reply: t('en', 'invalid.empty') },
    { name: 'a sticker where text is expected', at: 'description', send: (chat) => chat.deliver({ type: 'unsupported', what: 'sticker' }), reply: t('en', 'invalid.unsupported') },
    { name: 'a voice message where text is expected', at: 'name', send: (chat) => chat.deliver({ type: 'unsupported', what: 'voice' }), reply: t('en', 'invalid.unsupported') },
    { name: 'a 10 000-character message', at: 'description', send: (chat) => chat.send('x'.repeat(10_000)), reply: t('en', 'invalid.description.long', { max: 4000 }) },
    { name: 'a too short description', at: 'description', send: (chat) => chat.send('broken'), reply: t('en', 'invalid.description.short', { min: 10 }) },
    { name: 'a phone that does not validate', at: 'reach', send: (chat) => chat.send('12345'), reply: t('en', 'invalid.phone') },
    { name: 'letters for a phone', at: 'reach', send: (chat) => chat.send('call me maybe'), reply: t('en', 'invalid.phone') },
    { name: 'an e-mail that does not validate', at: 'reach', send: (chat) => chat.send('anna@'), reply: t('en', 'invalid.email') },
    { name: 'a shared contact that is not a phone', at: 'reach', send: (chat) => chat.deliver({ type: 'contact', phone: 'abc' }), reply: t('en', 'invalid.phone') },
    { name: 'a shared contact at the description', at: 'description', send: (chat) => chat.deliver({ type: 'contact', phone: '+79123456789' }), reply: t('en', 'invalid.unexpected_contact') },
    { name: 'text that is not one of the choices', at: 'remedy', send: (chat) => chat.send('a new kettle please'), reply: t('en', 'invalid.choice') },
    { name: 'a choice number out of range', at: 'remedy', send: (chat) => chat.send('9'), reply: t('en', 'invalid.choice') },
    { name: 'a command in the middle of a step', at: 'description', send: (chat) => chat.send('/status'), reply: t('en', 'command.busy') },
    { name: '/new in the middle of the intake', at: 'product', send: (chat) => chat.send('/new'), reply: t('en', 'command.busy') },
    { name: 'an unknown command', at: 'product', send: (chat) => chat.send('/delete_everything'), reply: t('en', 'command.unknown') },
    { name: 'a forged choice id', at: 'remedy', send: (chat) => chat.deliver({ type: 'choice', choiceId: '999.refund' }), reply: t('en', 'notice.stale') },
    { name: 'garbage as a choice id', at: 'remedy', send: (chat) => chat.deliver({ type: 'choice', choiceId: '{"$gt":""}' }), reply: t('en', 'notice.stale') },
    { name: 'a global button for something else mid-intake', at: 'remedy', send: (chat) => chat.deliver({ type: 'choice', choiceId: 'g.list' }), reply: t('en', 'command.busy') },
  ];
  for (const c of cases) {
    it(`${c.name} (at ${c.at})`, async () => {
      const chat = new TestChat(env.app.runner);
      await fillTo(chat, c.at);
      const question = chat.last.text;
      const before = await dialogOf(chat);
      await c.send(chat);
      expect(chat.text).toContain(c.reply);
      // the same question again
      expect(chat.last.text.endsWith(question) || chat.last.text === question).toBe(true);
      expect(await dialogOf(chat)).toEqual(before);
      expect(await claimsOf(chat)).toHaveLength(0);
    });
  }

  it('a button pressed on an older message is refused with a notice', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/new');
    await chat.press(t('en', 'kind.claim'));
    const oldCategoryButton = chat.choice('Refund').id;
    await chat.press('Defective product');
    const before = await dialogOf(chat);
    await chat.deliver({ type: 'choice', choiceId: oldCategoryButton });
    expect(chat.result?.notice).toBe(t('en', 'notice.stale'));
    expect(chat.last.text).toBe(t('en', 'ask.intake.product'));
    expect(await dialogOf(chat)).toEqual(before);
  });

  it('a button of the same turn that belongs to another step is refused', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'remedy');
    const seq = chat.choice('Refund').id.split('.')[0] ?? '';
    const before = await dialogOf(chat);
    await chat.deliver({ type: 'choice', choiceId: `${seq}.defect` });
    expect(chat.text).toContain(t('en', 'invalid.stale_button'));
    expect(await dialogOf(chat)).toEqual(before);
  });

  it('emoji and right-to-left text are kept exactly', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'description');
    const text = 'Чайник 🔥 сломался 👩‍👩‍👧 — הקומקום שבור — مرحبا ✓';
    await chat.send(text);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    const [claim] = await claimsOf(chat);
    expect(claim?.description).toBe(text);
  });

  it('control characters and bidi overrides are removed from what the customer types, tabs and line breaks kept', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    await chat.send('Kettle\u0000 KT-200\u202e');
    await fillTo(chat, 'description');
    await chat.send('The kettle\u001b[31m stopped\r\nheating\tafter \u2066two\u2069 days.\u0007');
    await fillTo(chat, 'name');
    await chat.send('Anna\u202e Petrova\u0000');
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    const [claim] = await claimsOf(chat);
    expect(claim?.concerns.product).toBe('Kettle KT-200');
    expect(claim?.description).toBe('The kettle[31m stopped\nheating\tafter two days.');
    expect(claim?.contact.name).toBe('Anna Petrova');
  });

  it('operator-looking text is stored as text and never becomes a query operator', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    await chat.send('{"$gt": ""}');
    await chat.send('{ "$ne": null }');
    await chat.send('{"$where": "sleep(1000)"} and $set: {status: "closed"}');
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    const claims = await claimsOf(chat);
    expect(claims).toHaveLength(1);
    expect(claims[0]?.concerns).toEqual({ product: '{"$gt": ""}', orderOrBatch: '{ "$ne": null }' });
    expect(claims[0]?.description).toBe('{"$where": "sleep(1000)"} and $set: {status: "closed"}');
    expect(claims[0]?.status).toBe('new');
  });

  it('Markdown and HTML special characters pass through as plain text', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'description');
    const text = '<b>bold</b> *star* _under_ [link](http://x.y) `code` &amp; <script>alert(1)</script>';
    await chat.send(text);
    await fillTo(chat, 'confirm');
    expect(chat.last.text).toContain(`Description: ${text}`);
    await chat.press(t('en', 'button.submit'));
    expect((await claimsOf(chat))[0]?.description).toBe(text);
  });

  it('files sent at another step are kept, and the question is asked again', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'remedy');
    await chat.sendFiles([photo(11)]);
    expect(chat.last.text).toBe(`${t('en', 'files.kept', { count: 1 })}\n\n${t('en', 'ask.intake.remedy')}`);
    expect((await env.app.stateOf(chat))?.stepId).toBe('remedy');
    await fillTo(chat, 'confirm');
    expect(chat.last.text).toContain('Files: 1');
  });

  it('text at the files step is added to the description', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'files');
    await chat.send('Also, the lid does not close.');
    expect(chat.last.text).toContain(t('en', 'files.text_added'));
    expect((await env.app.stateOf(chat))?.answers['description']).toBe('The kettle stopped heating after two days.\nAlso, the lid does not close.');
  });

  it('more than 20 files: the extra ones are refused politely', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'files');
    await chat.sendFiles(Array.from({ length: 15 }, (_, i) => photo(100 + i)));
    await chat.sendFiles(Array.from({ length: 10 }, (_, i) => photo(200 + i)));
    expect(chat.last.text).toContain(t('en', 'files.too_many', { max: 20 }));
    expect((await env.app.stateOf(chat))?.answers['files']).toHaveLength(20);
    await chat.press(t('en', 'button.files_clear'));
    expect((await env.app.stateOf(chat))?.answers['files']).toBeUndefined();
    expect(chat.last.text).toContain(t('en', 'files.cleared'));
  });
});

describe('robustness', () => {
  it('a restart in the middle of the intake resumes where the customer was', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'description');
    chat.useRunner(env.app.restart());
    await chat.send('The kettle stopped heating after two days.');
    expect(chat.last.text).toBe(t('en', 'ask.intake.files', { max: 20 }));
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    expect(await claimsOf(chat)).toHaveLength(1);
  });

  it('a redelivered update is ignored: no second reply, no second claim', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    const sentBefore = env.app.channel.to(chat.from.chatId).length;
    await chat.deliver({ type: 'text', text: 'Kettle' }, 'tg-500');
    expect(chat.result?.outcome).toBe('handled');
    await chat.deliver({ type: 'text', text: 'Kettle' }, 'tg-500');
    expect(chat.result?.outcome).toBe('duplicate');
    expect(chat.replies).toEqual([]);
    expect(env.app.channel.to(chat.from.chatId).length).toBe(sentBefore + 1);
    expect((await env.app.stateOf(chat))?.stepId).toBe('order');

    await fillTo(chat, 'confirm');
    const submit = { type: 'choice', choiceId: chat.choice(t('en', 'button.submit')).id } as const;
    await chat.deliver(submit, 'tg-900');
    await chat.deliver(submit, 'tg-900');
    expect(chat.result?.outcome).toBe('duplicate');
    expect(await claimsOf(chat)).toHaveLength(1);
  });

  it('an update replayed after hundreds of others is still recognised: handled once, on this instance and a restarted one', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    await chat.deliver({ type: 'text', text: 'Kettle' }, 'old-1');
    expect(chat.result?.outcome).toBe('handled');
    // 250 other updates: /help answers and changes no dialog step
    for (let i = 0; i < 250; i++) await chat.send('/help');
    const sentBefore = env.app.channel.to(chat.from.chatId).length;
    await chat.deliver({ type: 'text', text: 'Kettle' }, 'old-1');
    expect(chat.result?.outcome).toBe('duplicate');
    chat.useRunner(env.app.restart());
    await chat.deliver({ type: 'text', text: 'Kettle' }, 'old-1');
    expect(chat.result?.outcome).toBe('duplicate');
    expect(env.app.channel.to(chat.from.chatId).length).toBe(sentBefore);
  });

  it('two presses of "submit" handled by two app instances at once register one claim', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    const id = chat.choice(t('en', 'button.submit')).id;
    const other = env.app.restart();
    const [a, b] = await Promise.all([
      env.app.runner.handle({ updateId: 'press-1', from: chat.from, content: { type: 'choice', choiceId: id } }),
      other.handle({ updateId: 'press-2', from: chat.from, content: { type: 'choice', choiceId: id } }),
    ]);
    expect(await claimsOf(chat)).toHaveLength(1);
    // one of them registered; the other found its button stale
    const notices = [a.notice, b.notice].filter(Boolean);
    expect(notices).toEqual([t('en', 'notice.stale')]);
  });

  it('updates of one chat are processed in order, even when they arrive together', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    await Promise.all([chat.send('Kettle KT-200'), chat.send('ORD-77'), chat.send('It does not switch on at all, the light stays off.')]);
    const state = await env.app.stateOf(chat);
    expect(state?.answers).toMatchObject({ product: 'Kettle KT-200', order: 'ORD-77', description: 'It does not switch on at all, the light stays off.' });
    expect(state?.stepId).toBe('files');
  });

  it('replies that could not be sent are kept and sent with the next turn', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'product');
    env.app.channel.failing = true;
    try {
      await chat.send('Kettle KT-200');
      expect(chat.result?.delivered).toBe(false);
    } finally {
      env.app.channel.failing = false;
    }
    const sentBefore = env.app.channel.to(chat.from.chatId).length;
    await chat.send('ORD-1');
    const sent = env.app.channel.to(chat.from.chatId).slice(sentBefore).map((m) => m.text);
    expect(sent).toEqual([t('en', 'ask.intake.order'), t('en', 'ask.intake.description')]);
    expect((await env.app.store.load({ channel: 'telegram', chatId: chat.from.chatId })).outbox).toBeUndefined();
  });

  it('two app instances taking turns in one chat: each answer lands once, in order, and one claim is registered', async () => {
    const runners = [env.app.runner, env.app.restart()];
    let turns = 0;
    // instance A takes two turns, then B two, and so on: each one's own copy goes stale in between
    const alternating = { handle: (input: Parameters<ConversationRunner['handle']>[0]) => (runners[Math.floor(turns++ / 2) % 2] ?? env.app.runner).handle(input) };
    const chat = new TestChat(alternating);
    await fillTo(chat, 'confirm');
    await chat.press(t('en', 'button.submit'));
    expect(chat.result?.outcome).toBe('handled');
    expect(turns).toBeGreaterThan(8);
    const claims = await claimsOf(chat);
    expect(claims).toHaveLength(1);
    expect(claims[0]?.concerns).toMatchObject({ product: 'Kettle KT-200', orderOrBatch: 'ORD-5512' });
    // every turn answered exactly once
    const sent = env.app.channel.to(chat.from.chatId).map((m) => m.text);
    for (const question of ['ask.intake.product', 'ask.intake.order', 'ask.intake.description'] as const) expect(sent.filter((text) => text === t('en', question))).toHaveLength(1);
  });

  it('a press already handled by another instance is recognised there too, and changes no claim', async () => {
    const chat = new TestChat(env.app.runner);
    await fillTo(chat, 'confirm');
    const submit = { type: 'choice', choiceId: chat.choice(t('en', 'button.submit')).id } as const;
    // instance B handles the press; Telegram then delivers it once more, to instance A, whose copy predates it
    chat.useRunner(env.app.restart());
    await chat.deliver(submit, 'tg-press');
    expect(chat.result?.outcome).toBe('handled');
    const sent = env.app.channel.to(chat.from.chatId).length;
    chat.useRunner(env.app.runner);
    await chat.deliver(submit, 'tg-press');
    expect(chat.result?.outcome).toBe('duplicate');
    expect(env.app.channel.to(chat.from.chatId)).toHaveLength(sent);
    expect(await claimsOf(chat)).toHaveLength(1);
  });

  it('a chat this instance saved last is not read again; one another instance moved on is', async () => {
    let loads = 0;
    const counting: ConversationStore = Object.assign(Object.create(env.app.store) as ConversationStore, {
      load: (key: Parameters<ConversationStore['load']>[0]) => {
        loads++;
        return env.app.store.load(key);
      },
    });
    const runner = new ConversationRunner({ desk: env.desk, store: counting, claims: env.app.ports, senders: { telegram: env.app.channel }, now: env.app.clock.now });
    const chat = new TestChat(runner);
    await chat.send('/new');
    await chat.press(t('en', 'kind.claim'));
    await chat.press('Defective product');
    expect(loads).toBe(1);
    // another instance answers the product question: this runner's copy is now behind
    chat.useRunner(env.app.restart());
    await chat.send('Kettle KT-200');
    chat.useRunner(runner);
    await chat.send('ORD-5512');
    expect(loads).toBe(2);
    expect(await dialogOf(chat)).toMatchObject({ stepId: 'description', answers: { product: 'Kettle KT-200', order: 'ORD-5512' } });
  });

  it('a customer writing clears the unreachable mark, even on a chat this instance kept', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/new');
    const key = { channel: chat.from.channel, chatId: chat.from.chatId };
    // a notification job found the bot blocked (another process, straight to the database)
    await env.app.store.setUnreachable(key, new Date());
    expect((await env.app.store.load(key)).unreachableSince).toBeInstanceOf(Date);
    await chat.press(t('en', 'kind.claim'));
    expect((await env.app.store.load(key)).unreachableSince).toBeUndefined();
  });
});
