import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackDesk } from '../support/slack-desk.js';
import { draft, eventually, exampleDesk, telegramCustomer } from '../support/fixtures.js';
import { claimFixture } from '../support/claims.js';
import { claimCard } from '../../adapters/slack/render.js';
import { t } from '../../src/i18n/index.js';

/** #25: on a desk with Slack, an alert reaches both the Slack DM and the console's notifications. */
describe('alerts on a desk with Slack go to Slack and to the console', () => {
  let desk: SlackDesk;
  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(() => desk.stop());

  it('an assignment: a direct message in Slack and one notice in the console', async () => {
    const { claim } = await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('3901') }), 'slack-console-notices-1');
    await desk.app.registry.assign(claim.id, 'ivan', { kind: 'staff', staffId: 'sergey' });
    await desk.settled();
    const dm = desk.fake.dmChannelFor('U0IVAN0001');
    await eventually(() => desk.fake.messagesIn(dm).some((message) => message.text === t('ru', 'staff.ping.assigned', { who: 'Sergey Volkov', kind: 'претензия', number: claim.number })));
    await eventually(async () => (await desk.app.db.collection('staff_notices').countDocuments({ subjectId: claim.id, staffId: 'ivan', kind: 'assignment' })) === 1);
  });
});

describe('the Slack card links a claim’s files to the console (#25)', () => {
  it('with the console’s address known, and only where the files are shown', async () => {
    const desk = await exampleDesk();
    const claim = claimFixture({ attachments: [{ channel: 'telegram', kind: 'document', fileId: 'BQAC1', fileName: 'receipt.pdf' }] });
    const link = `<https://desk.example/console#/claim/${claim.number}|${t('en', 'staff.card.files_in_console')}>`;
    const shown = (personal: { masked: boolean; hiddenFiles: number }, consoleUrl?: string) => JSON.stringify(claimCard({ desk, locale: 'en', ...(consoleUrl ? { consoleUrl } : {}) }, claim, { personal }).blocks);
    expect(shown({ masked: false, hiddenFiles: 0 }, 'https://desk.example/console')).toContain(link);
    expect(shown({ masked: false, hiddenFiles: 0 })).not.toContain('#/claim/');
    expect(shown({ masked: true, hiddenFiles: 1 }, 'https://desk.example/console')).not.toContain('#/claim/');
  });
});
