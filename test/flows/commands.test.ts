import { describe, expect, it } from 'vitest';
import { setupDesk, TestChat } from '../support/chat.js';
import type { Locale } from '../../src/domain/locale.js';
import type { ConversationState } from '../../flows/state.js';
import { t } from '../../src/i18n/index.js';

const env = setupDesk('commands');

/** What a turn must leave alone: where the customer is and what they answered. */
function position(state: ConversationState | undefined) {
  return { flowId: state?.flowId, flowVersion: state?.flowVersion, stepId: state?.stepId, answers: state?.answers, trail: state?.trail, locale: state?.locale };
}

function categoryLabel(id: string, locale: Locale): string {
  const category = env.desk.categories.find((c) => c.id === id);
  if (!category) throw new Error(`no category ${id}`);
  return category.label[locale];
}

/** A customer in the middle of the intake, at the product question. */
async function atProductQuestion(options: ConstructorParameters<typeof TestChat>[1] = {}): Promise<{ chat: TestChat; locale: Locale }> {
  const chat = new TestChat(env.app.runner, options);
  await chat.send('/start');
  const locale = (await env.app.stateOf(chat))?.locale ?? 'ru';
  await chat.press(t(locale, 'kind.claim'));
  await chat.press(categoryLabel('defect', locale));
  expect(chat.text).toBe(t(locale, 'ask.intake.product'));
  expect((await env.app.stateOf(chat))?.stepId).toBe('product');
  return { chat, locale };
}

async function claimsOf(chat: TestChat) {
  return env.app.claims.listForCustomer({ channel: 'telegram', userId: chat.from.userId });
}

const hintLabels = (locale: Locale) => [t(locale, 'button.new_report'), t(locale, 'button.all_claims')];

describe('/help', () => {
  it('explains the commands between dialogs', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/help');
    expect(chat.replies).toHaveLength(1);
    expect(chat.text).toBe(t('en', 'help'));
    expect(chat.choices.map((c) => c.label)).toEqual(hintLabels('en'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();

    // its buttons work
    await chat.press(t('en', 'button.all_claims'));
    expect(chat.text).toBe(t('en', 'status.none'));
  });

  it('explains, then asks the same question again, in the middle of the intake', async () => {
    const { chat } = await atProductQuestion();
    const before = await env.app.stateOf(chat);

    await chat.send('/help');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'help'), t('en', 'ask.intake.product')]);
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.skip'), t('en', 'button.back')]);
    expect(position(await env.app.stateOf(chat))).toEqual(position(before));

    // the re-asked question's buttons work, and /help@bot is /help too
    await chat.press(t('en', 'button.skip'));
    expect(chat.text).toBe(t('en', 'ask.intake.order'));
    await chat.send('/help@claimdesk_bot');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'help'), t('en', 'ask.intake.order')]);
    expect((await env.app.stateOf(chat))?.stepId).toBe('order');
  });
});

describe('/cancel', () => {
  it('leaves the intake without a claim and without side effects', async () => {
    const { chat } = await atProductQuestion();
    await chat.send('Kettle KT-200');
    await chat.press(t('en', 'button.skip'));
    await chat.send('The kettle stopped heating after two days.');
    const noFiles = chat.choice(t('en', 'button.no_files'));
    const claimsBefore = await env.db.db.collection('claims').countDocuments();
    const countersBefore = await env.db.db.collection('counters').find().toArray();

    await chat.send('/cancel');
    expect(chat.replies).toHaveLength(1);
    expect(chat.text).toBe(t('en', 'cancel.done'));
    const state = await env.app.stateOf(chat);
    expect(state?.flowId).toBeNull();
    expect(state?.stepId).toBeNull();
    expect(state?.answers).toEqual({});
    expect(await claimsOf(chat)).toEqual([]);
    expect(await env.db.db.collection('claims').countDocuments()).toBe(claimsBefore);
    expect(await env.db.db.collection('counters').find().toArray()).toEqual(countersBefore);
    expect(await env.db.db.collection<{ _id: string }>('claim_submissions').countDocuments({ _id: { $regex: `^telegram:${chat.from.chatId}:` } })).toBe(0);

    // a button of the cancelled intake is stale now, and a new intake starts from the beginning
    await chat.deliver({ type: 'choice', choiceId: noFiles.id });
    expect(chat.result?.notice).toBe(t('en', 'notice.stale'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    await chat.send('/new');
    expect(chat.text).toContain(t('en', 'ask.intake.kind'));
    expect((await env.app.stateOf(chat))?.answers).not.toHaveProperty('description');
  });

  it('says there is nothing to cancel between dialogs', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/cancel');
    expect(chat.text).toBe(t('en', 'cancel.nothing'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    await chat.send('/cancel');
    expect(chat.text).toBe(t('en', 'cancel.nothing'));
    expect(await claimsOf(chat)).toEqual([]);
  });
});

describe('/language', () => {
  it('switches and asks the current question again in the new language', async () => {
    const { chat } = await atProductQuestion({ languageCode: 'ru' });
    const before = await env.app.stateOf(chat);
    expect(before?.locale).toBe('ru');

    await chat.send('/language en');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'language.switched'), t('en', 'ask.intake.product')]);
    expect(chat.choices.map((c) => c.label)).toEqual([t('en', 'button.skip'), t('en', 'button.back')]);
    const after = await env.app.stateOf(chat);
    expect(after?.locale).toBe('en');
    expect(position(after)).toEqual({ ...position(before), locale: 'en' });

    // the dialog goes on in English
    await chat.press(t('en', 'button.skip'));
    expect(chat.text).toBe(t('en', 'ask.intake.order'));

    await chat.send('/language RU');
    expect(chat.replies.map((r) => r.text)).toEqual([t('ru', 'language.switched'), t('ru', 'ask.intake.order')]);
    expect(chat.choices.map((c) => c.label)).toEqual([t('ru', 'button.skip'), t('ru', 'button.back')]);
    expect((await env.app.stateOf(chat))?.locale).toBe('ru');
    expect((await env.app.stateOf(chat))?.stepId).toBe('order');
  });

  it('switches between dialogs and stays switched', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    await chat.send('/language en');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'language.switched')]);
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    await chat.send('/help');
    expect(chat.text).toBe(t('en', 'help'));
  });

  it('offers two buttons without an argument, which work even in the middle of the intake', async () => {
    const { chat } = await atProductQuestion({ languageCode: 'en' });
    const before = await env.app.stateOf(chat);

    await chat.send('/language');
    expect(chat.text).toBe(t('en', 'language.choose'));
    expect(chat.choices.map((c) => c.label)).toEqual(['Русский', 'English']);
    expect(position(await env.app.stateOf(chat))).toEqual(position(before));

    await chat.press('Русский');
    expect(chat.result?.notice).toBeUndefined();
    expect(chat.replies.map((r) => r.text)).toEqual([t('ru', 'language.switched'), t('ru', 'ask.intake.product')]);
    expect(position(await env.app.stateOf(chat))).toEqual({ ...position(before), locale: 'ru' });

    // an argument it does not know offers the buttons too
    await chat.send('/language de');
    expect(chat.text).toBe(t('ru', 'language.choose'));
    await chat.press('English');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'language.switched'), t('en', 'ask.intake.product')]);
    expect((await env.app.stateOf(chat))?.stepId).toBe('product');
  });

  it('takes the first language from the sender\'s language code, else the desk default', async () => {
    const cases: [string | undefined, Locale][] = [
      ['ru-RU', 'ru'],
      ['en-GB', 'en'],
      ['de', 'en'],
      ['uk', 'ru'],
      [undefined, env.desk.desk.defaultLocale],
    ];
    expect(env.desk.desk.defaultLocale).toBe('ru');
    for (const [languageCode, locale] of cases) {
      const chat = new TestChat(env.app.runner, { languageCode });
      expect(chat.from.languageCode).toBe(languageCode);
      await chat.send('/help');
      expect(chat.text, `languageCode ${languageCode ?? 'missing'}`).toBe(t(locale, 'help'));
      expect((await env.app.stateOf(chat))?.locale).toBe(locale);
    }
  });

  it('keeps the chosen language when the messenger reports another one later', async () => {
    const first = new TestChat(env.app.runner, { languageCode: 'ru' });
    await first.send('/language en');
    const later = new TestChat(env.app.runner, { ...first.from, languageCode: 'ru' });
    await later.deliver({ type: 'text', text: '/help' }, 'later-1');
    expect(later.text).toBe(t('en', 'help'));
  });
});

describe('commands that do not fit', () => {
  it('answers an unknown command between dialogs with the ways forward', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/frobnicate now');
    expect(chat.text).toBe(t('en', 'command.unknown'));
    expect(chat.choices.map((c) => c.label)).toEqual(hintLabels('en'));
    expect((await env.app.stateOf(chat))?.flowId).toBeNull();
    expect(await claimsOf(chat)).toEqual([]);
  });

  it('answers an unknown command in the intake and asks the question again', async () => {
    const { chat } = await atProductQuestion();
    const before = await env.app.stateOf(chat);
    await chat.send('/frobnicate');
    expect(chat.replies.map((r) => r.text)).toEqual([t('en', 'command.unknown'), t('en', 'ask.intake.product')]);
    expect(position(await env.app.stateOf(chat))).toEqual(position(before));
  });

  it('explains that /status, /add and /new wait until the claim is filed, and changes nothing', async () => {
    const { chat } = await atProductQuestion();
    await chat.send('Kettle KT-200');
    const before = await env.app.stateOf(chat);
    expect(before?.stepId).toBe('order');

    for (const command of ['/status', '/status 2026-000001', '/add', '/new', '/start']) {
      await chat.send(command);
      expect(chat.replies.map((r) => r.text), command).toEqual([t('en', 'command.busy'), t('en', 'ask.intake.order')]);
      expect(position(await env.app.stateOf(chat)), command).toEqual(position(before));
    }
    // the global buttons, too
    for (const choiceId of ['g.list', 'g.new', 'g.s:2026-000001', 'g.a:2026-000001']) {
      await chat.deliver({ type: 'choice', choiceId });
      expect(chat.replies.map((r) => r.text), choiceId).toEqual([t('en', 'command.busy'), t('en', 'ask.intake.order')]);
      expect(position(await env.app.stateOf(chat)), choiceId).toEqual(position(before));
    }
    expect(await claimsOf(chat)).toEqual([]);

    // and the intake goes on
    await chat.press(t('en', 'button.skip'));
    expect(chat.text).toBe(t('en', 'ask.intake.description'));
  });
});

describe('stale and forged buttons', () => {
  it('refuses a button from an older message in the intake and changes nothing', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/start');
    const kindButton = chat.choice(t('en', 'kind.complaint'));
    await chat.press(t('en', 'kind.claim'));
    const categoryButton = chat.choice(categoryLabel('refund', 'en'));
    await chat.press(categoryLabel('defect', 'en'));
    const before = await env.app.stateOf(chat);
    expect(before?.answers).toMatchObject({ kind: 'claim', category: 'defect' });

    for (const choiceId of [kindButton.id, categoryButton.id, '999.refund', 'zzz', '', '3.c:2026-000001', 'g.nonsense', 'g.lang:de']) {
      await chat.deliver({ type: 'choice', choiceId });
      expect(chat.result?.notice, choiceId).toBe(t('en', 'notice.stale'));
      expect(chat.replies.map((r) => r.text), choiceId).toEqual([t('en', 'notice.stale'), t('en', 'ask.intake.product')]);
      expect(position(await env.app.stateOf(chat)), choiceId).toEqual(position(before));
    }
    expect(await claimsOf(chat)).toEqual([]);

    // an id of this turn with a value the question never offered is refused by the question itself
    const current = await env.app.stateOf(chat);
    await chat.deliver({ type: 'choice', choiceId: `${String(current?.prompt ?? 0)}.refund` });
    expect(chat.text).toBe(`${t('en', 'invalid.stale_button')}\n\n${t('en', 'ask.intake.product')}`);
    expect(position(await env.app.stateOf(chat))).toEqual(position(before));
  });

  it('refuses a stale or forged button between dialogs with the ways forward', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    await chat.send('/start');
    const kindButton = chat.choice(t('ru', 'kind.claim'));
    await chat.send('/cancel');

    for (const choiceId of [kindButton.id, '999.refund', 'zzz', 'g.nonsense']) {
      await chat.deliver({ type: 'choice', choiceId });
      expect(chat.result?.notice, choiceId).toBe(t('ru', 'notice.stale'));
      expect(chat.text, choiceId).toBe(t('ru', 'notice.stale_idle'));
      expect(chat.choices.map((c) => c.label)).toEqual(hintLabels('ru'));
      const state = await env.app.stateOf(chat);
      expect(state?.flowId, choiceId).toBeNull();
      expect(state?.answers).toEqual({});
    }
    expect(await claimsOf(chat)).toEqual([]);
  });
});

describe('replies and the channel\'s pacing', () => {
  it('the runner sends dialog replies as replies (never held back by the channel), not as bulk messages', async () => {
    const chat = new TestChat(env.app.runner);
    await chat.send('/start');
    expect(env.app.channel.sent.length).toBeGreaterThan(0);
    expect(env.app.channel.sent.every((entry) => !entry.bulk)).toBe(true);
  });
});
