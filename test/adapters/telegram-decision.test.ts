import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FakeTelegram, fakeUser, type FakeUser } from '../support/telegram-api.js';
import { BotUnderTest, TelegramCustomer, TEST_BOT_TOKEN } from '../support/telegram-bot.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/store/local/paths.js';
import type { Claim } from '../../src/domain/lifecycle.js';

/**
 * #25 end to end with the customer in Telegram (the fake Bot API): a decision over the desk's
 * amount waits for a head (the customer hears nothing), a refusal returns it, an approval sends
 * it; the remedy's due date and its fulfilment reach the customer; the customer disputes the
 * decision from its button, once.
 */
describe('Telegram: approval, fulfilment and dispute of a decision', () => {
  let fake: FakeTelegram;
  let bot: BotUnderTest;
  const ivan = { staffId: 'ivan' };
  const sergey = { staffId: 'sergey' };

  beforeAll(async () => {
    // the example desk, with decisions over 10 000 RUB needing a head's approval
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as Record<string, unknown>;
    config.decisions = { approvalOver: 10_000 };
    const dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-decision-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    fake = await FakeTelegram.start({ token: TEST_BOT_TOKEN });
    bot = await BotUnderTest.start('grammy-polling', { fake, mongoUri: inject('mongoUri'), database: `tg_decision_${randomBytes(4).toString('hex')}`, env: { DESK_CONFIG: file } });
  });
  afterAll(async () => {
    await bot.app.db.dropDatabase();
    await bot.stop();
    await fake.close();
  });

  /** A customer with a claim taken by Ivan. */
  async function customerWithClaim(key: string): Promise<{ readonly user: FakeUser; readonly customer: TelegramCustomer; readonly claim: Claim }> {
    const user = fakeUser();
    const { claim } = await bot.app.registry.submit(draft({ ...telegramCustomer(String(user.id)), locale: 'en' }), key);
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'take' })).ok).toBe(true);
    await eventually(() => fake.sentTo(user.id).length === 1, 15_000); // the "taken" notice
    return { user, customer: new TelegramCustomer(bot, user), claim };
  }
  const texts = (user: FakeUser) => fake.sentTo(user.id).map((message) => String(message.text));
  const fresh = async (claim: Claim) => {
    const found = await bot.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const decisionText = (claim: Claim, text: string, due?: Date) =>
    `${t('en', 'notice.accepted', { number: claim.number, text })}${due ? `\n\n${t('en', 'notice.fulfilment_due', { due: formatDateTime(due, 'en', 'Europe/Moscow') })}` : ''}\n\n${t('en', 'notice.signed', { signer: 'Ivan Petrov, claims specialist' })}`;
  /** Lets the notification job run: a reply sent after `marker` arrives only after everything before it. */
  const quiet = async (user: FakeUser, claim: Claim) => {
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'note', text: 'marker' })).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return texts(user);
  };

  it('a decision over the amount waits for a head: the customer hears nothing; a refusal returns it; approval sends it with the due date; marked done, the customer is told', async () => {
    const { user, claim } = await customerWithClaim('decision-approval');
    const refund = { outcome: 'accepted' as const, remedy: 'refund' as const, amount: { minor: 1_500_000 }, responseText: 'We refund {amount}.', fulfilmentDays: 10 };
    const drafted = await bot.app.staff.act(ivan, claim.id, { action: 'resolve', decision: refund });
    expect(drafted.ok).toBe(true);
    let stored = await fresh(claim);
    expect(stored.status).toBe('in_review');
    expect(stored.pendingDecision).toMatchObject({ reasons: ['amount'], by: 'ivan', fulfilmentDays: 10 });
    expect(await quiet(user, claim)).toHaveLength(1); // still only "taken"

    // Ivan cannot approve his own draft (a specialist); a head may, or return it
    const draftId = stored.pendingDecision?.id ?? '';
    const notHead = await bot.app.staff.act(ivan, claim.id, { action: 'approve_decision', draftId });
    expect(notHead).toMatchObject({ ok: false, reason: 'missing_right', right: 'approve_decision' });
    const returned = await bot.app.staff.act(sergey, claim.id, { action: 'return_decision', draftId, note: 'Offer 9 000 first.' });
    expect(returned.ok).toBe(true);
    stored = await fresh(claim);
    expect(stored.pendingDecision).toBeUndefined();
    expect(stored.history.at(-1)).toMatchObject({ type: 'decision_returned', note: 'Offer 9 000 first.' });
    // a stale approval of the returned draft changes nothing
    expect(await bot.app.staff.act(sergey, claim.id, { action: 'approve_decision', draftId })).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(await quiet(user, claim)).toHaveLength(1);

    expect((await bot.app.staff.act(ivan, claim.id, { action: 'resolve', decision: { ...refund, amount: { minor: 1_200_000 } } })).ok).toBe(true);
    const second = (await fresh(claim)).pendingDecision?.id ?? '';
    const approved = await bot.app.staff.act(sergey, claim.id, { action: 'approve_decision', draftId: second });
    expect(approved.ok).toBe(true);
    stored = await fresh(claim);
    expect(stored.status).toBe('resolved');
    expect(stored.decision).toMatchObject({ decidedBy: 'ivan', approvedBy: 'sergey', amount: { minor: 1_200_000, currency: 'RUB' } });
    const due = stored.fulfilment?.dueAt;
    expect(due).toBeInstanceOf(Date);
    const expected = decisionText(claim, 'We refund RUB\u00a012,000.', due);
    await eventually(() => texts(user).includes(expected), 15_000);
    // the decision's message carries the dispute button; never the returned draft's text
    expect(texts(user).some((text) => text.includes('15,000'))).toBe(false);

    expect((await bot.app.staff.act(ivan, claim.id, { action: 'fulfil', note: 'Paid by bank transfer' })).ok).toBe(true);
    await eventually(() => texts(user).includes(t('en', 'notice.fulfilled', { number: claim.number })), 15_000);
    expect(texts(user).some((text) => text.includes('bank transfer'))).toBe(false); // the note is for staff
    expect((await fresh(claim)).fulfilment?.doneAt).toBeInstanceOf(Date);
  });

  it('the customer disputes the decision from its button: the claim is back in review with their text; a second dispute is refused politely', async () => {
    const { user, customer, claim } = await customerWithClaim('decision-dispute');
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'repair', responseText: 'We will repair it.' } })).ok).toBe(true);
    const expected = decisionText(claim, 'We will repair it.');
    await eventually(() => texts(user).includes(expected), 15_000);

    await customer.presses(t('en', 'button.dispute'));
    expect(customer.last).toBe(t('en', 'dispute.ask', { number: claim.number }));
    // an empty answer is asked again and changes nothing
    await customer.says('   ');
    expect(customer.last).toContain(t('en', 'dispute.ask', { number: claim.number }));
    expect((await fresh(claim)).status).toBe('resolved');
    await customer.says('I asked for a refund, not a repair.');
    expect(customer.last).toBe(t('en', 'dispute.recorded', { number: claim.number }));
    const stored = await fresh(claim);
    expect(stored.status).toBe('in_review');
    expect(stored.decision).toBeUndefined();
    expect(stored.history.at(-1)).toMatchObject({ action: 'dispute', note: 'I asked for a refund, not a repair.', actor: { kind: 'customer' } });

    // the old button again: refused politely, nothing changes
    const version = stored.version;
    await customer.presses(t('en', 'button.dispute'));
    expect(customer.last).toBe(t('en', 'dispute.already', { number: claim.number }));
    expect((await fresh(claim)).version).toBe(version);

    // a new decision may be disputed from /status
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: 'We refund the price.' } })).ok).toBe(true);
    await customer.says(`/status ${claim.number}`);
    expect(customer.button(t('en', 'button.dispute'))).toBe(`g.d:${claim.number}`);
    // once closed by staff (the customer confirmed by phone), the decision can no longer be disputed
    expect((await bot.app.staff.act(ivan, claim.id, { action: 'close', note: 'Confirmed by phone' })).ok).toBe(true);
    await customer.presses(t('en', 'button.dispute'));
    expect(customer.last).toBe(t('en', 'dispute.unavailable', { number: claim.number }));
    expect((await fresh(claim)).status).toBe('closed');
  });

  it('staff close needs a note and a resolved claim; bad input changes nothing', async () => {
    const { claim } = await customerWithClaim('decision-close');
    const before = (await fresh(claim)).version;
    expect(await bot.app.staff.act(ivan, claim.id, { action: 'close', note: 'Confirmed by phone' })).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(await bot.app.staff.act(ivan, claim.id, { action: 'fulfil' })).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(await bot.app.staff.act({ staffId: 'olga' }, claim.id, { action: 'close', note: 'x' })).toMatchObject({ ok: false });
    expect((await fresh(claim)).version).toBe(before);
  });
});
