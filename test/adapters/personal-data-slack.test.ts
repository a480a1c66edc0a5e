import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import type { AuditEntry } from '../../src/domain/audit.js';
import { COLLECTIONS } from '../../src/store/collections.js';
import { draft, eventually } from '../support/fixtures.js';
import { IVAN, LOGISTICS, MARIA, OLGA, QUALITY, SERGEY, SlackDesk } from '../support/slack-desk.js';

/** Personal data that may appear only in the department's channel card and in /claim for those with the right (#26). */
const CANARY = { name: 'Canaryname Zyxwvut', phone: '+79990001122', email: 'canary.zyx@example.com' };
const CANARY_PARTS = ['Canaryname', '79990001122', '0001122', 'canary.zyx'];

interface Block {
  type: string;
  text?: { text: string };
}
const textOf = (blocks: readonly Block[] | undefined) => (blocks ?? []).map((block) => block.text?.text ?? '').join('\n');

describe('personal data in Slack', () => {
  let desk: SlackDesk;
  let claim: Claim; // quality; its category notifies logistics

  const audit = () => desk.app.db.collection<AuditEntry>(COLLECTIONS.audit).find({}, { projection: { _id: 0 } }).toArray();

  beforeAll(async () => {
    desk = await SlackDesk.start();
    ({ claim } = await desk.app.registry.submit(
      draft({ category: 'defect', contact: CANARY, attachments: [{ channel: 'telegram', kind: 'photo', fileId: 'AgACAgIAAxkBAAIpd', fileName: 'receipt-canary.jpg' }] }),
      'pd-slack-1',
    ));
    await desk.settled();
    // assigned by a head to ivan: a direct message to ivan
    const assigned = await desk.app.staff.act({ staffId: 'sergey' }, claim.id, { action: 'assign', assigneeId: 'ivan' });
    expect(assigned.ok).toBe(true);
    await desk.settled();
    await eventually(() => desk.dmMessages(IVAN).length > 0);
  });
  afterAll(() => desk.stop());

  it('shows the contact in the department channel’s card only: not in the notify-list notice nor in direct messages', () => {
    const card = desk.fake.messagesIn(QUALITY).find((message) => message.thread_ts === undefined);
    expect(card).toBeDefined();
    const text = textOf(card?.blocks as Block[]);
    expect(text).toContain(t('ru', 'staff.card.contact', { value: `${CANARY.name}, ${CANARY.phone}, ${CANARY.email}` }));
    const elsewhere = JSON.stringify([desk.fake.messagesIn(LOGISTICS), desk.dmMessages(IVAN), desk.dmMessages(SERGEY), desk.dmMessages(MARIA), desk.dmMessages(OLGA)]);
    expect(desk.fake.messagesIn(LOGISTICS).length).toBeGreaterThan(0);
    for (const part of CANARY_PARTS) expect(elsewhere).not.toContain(part);
    // ivan (quality, the assignee) may see the files in his direct message
    expect(JSON.stringify(desk.dmMessages(IVAN))).toContain('receipt-canary.jpg');
  });

  it('/claim shows the personal data to those with the right (recorded), masked to others (not recorded)', async () => {
    const before = (await audit()).filter((entry) => entry.kind === 'personal_data_viewed').length;
    const shown = (await desk.command(SERGEY, '/claim', claim.number)).json() as { blocks: Block[] };
    expect(textOf(shown.blocks)).toContain(CANARY.phone);
    expect(textOf(shown.blocks)).toContain('receipt-canary.jpg');
    const views = (await audit()).filter((entry) => entry.kind === 'personal_data_viewed');
    expect(views.length).toBe(before + 1);
    expect(views.at(-1)).toMatchObject({ channel: 'slack', staffId: 'sergey', claimId: claim.id, claimNumber: claim.number });

    // olga is an operator of support: the quality claim's personal data is masked for her
    const masked = (await desk.command(OLGA, '/claim', claim.number)).json() as { blocks: Block[] };
    const text = textOf(masked.blocks);
    expect(text).toContain(t('ru', 'staff.card.contact', { value: 'C•••, +7 ••• ••• 11-22, c•••@example.com' }));
    expect(text).toContain(t('ru', 'staff.card.files', { value: t('ru', 'staff.card.files_hidden', { count: 1 }) }));
    expect(text).toContain(t('ru', 'staff.card.masked'));
    for (const part of CANARY_PARTS) expect(text).not.toContain(part);
    expect(text).not.toContain('receipt-canary');
    expect((await audit()).filter((entry) => entry.kind === 'personal_data_viewed')).toHaveLength(before + 1);
  });

  it('keeps no personal data in the audit records', async () => {
    const text = JSON.stringify(await audit());
    for (const part of CANARY_PARTS) expect(text).not.toContain(part);
  });
});
