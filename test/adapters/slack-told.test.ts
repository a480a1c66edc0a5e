import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, t } from '../../src/i18n/index.js';
import { StaffRegistration } from '../../src/domain/staff-intake.js';
import { eventually } from '../support/fixtures.js';
import { SlackDesk, SUPPORT } from '../support/slack-desk.js';

/**
 * Slack (#25): when staff record in the console that they told a customer without messenger or
 * e-mail a notice, the claim's thread says so like any other history line, the note quoted; the
 * sync is not thrown by the new event.
 */
describe('Slack: a customer told by staff shows in the claim\'s thread (#25)', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(async () => {
    await desk.stop();
  });

  it('posts the line in the thread of the card', async () => {
    const form = StaffRegistration.parse({
      requestId: crypto.randomUUID(),
      channel: 'phone',
      kind: 'claim',
      category: 'refund',
      amount: '500',
      description: 'Paid twice for one kettle, please refund one payment.',
      desiredRemedy: 'refund',
      name: 'Boris',
      phone: '8 912 000-11-22',
      locale: 'en',
      consent: true,
    });
    const registered = await desk.app.staff.register({ staffId: 'olga' }, form);
    if (!registered.ok) throw new Error(`not registered: ${registered.reason}`);
    const { claim } = registered;
    await eventually(async () => (await desk.app.claims.findByNumber(claim.number))?.history[0]?.deliveryFailure === 'no_channel');
    await desk.settled();
    const card = desk.fake.messagesIn(SUPPORT).find((message) => message.thread_ts === undefined && message.text.includes(claim.number));
    if (!card) throw new Error('no card');

    const notice = claim.history[0];
    if (!notice) throw new Error('no notice');
    const told = await desk.app.staff.act({ staffId: 'olga' }, claim.id, { action: 'tell_customer', eventIds: [notice.id], means: 'phone', note: 'Spoke to *his* wife' });
    expect(told.ok).toBe(true);
    await desk.settled();
    const line = t('ru', 'staff.history.customer_told', { who: 'Olga Smirnova', means: t('ru', 'staff.told_means.phone'), when: formatDateTime(notice.at, 'ru', 'Europe/Moscow'), note: '\n>\u2068Spoke to *his* wife\u2069' });
    await eventually(() => desk.fake.messagesIn(SUPPORT).some((message) => message.thread_ts === card.ts && message.text === line));
  });
});
