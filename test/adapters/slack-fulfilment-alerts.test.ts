import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labels } from '../../adapters/staff-text.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { t } from '../../src/i18n/index.js';
import { FULFILMENT_SWEEP_JOB } from '../../src/jobs/fulfilment.js';
import { draft, eventually, exampleDesk, telegramCustomer } from '../support/fixtures.js';
import { IVAN, MARIA, OLGA, SERGEY, SlackDesk } from '../support/slack-desk.js';

const HOUR = 3_600_000;
/**
 * The customer's contact: it must reach no direct message (#26: contact details only in the
 * department's channel card). The description is not checked here: every alert DM carries the
 * claim's card, description included, to members in the claim's department (README; personal-data.ts
 * keeps it for every viewer, "what the claim is about"), and an erasure rewrites those DMs.
 */
const CANARY = { name: 'Canaryname Zyxwvut', phone: '+79990001122', email: 'canary.zyx@example.com' };
const CANARY_PARTS = ['Canaryname', 'Zyxwvut', '79990001122', '0001122', 'canary.zyx'];

/**
 * The fulfilment alerts in Slack (#25): a remedy not carried out by its due date reaches the
 * assignee's direct message (the channel conversations.open gave for them), and the example
 * desk's `fulfilmentEscalateAfterHours` (24) later the head's — each once however many times the
 * `fulfilment.sweep` job runs, with the claim's number and none of the customer's contact.
 * Time passes as in test/jobs/fulfilment.test.ts: the due date is moved into the past, then the
 * job is run (twice each time) and its runs waited for.
 */
describe('Slack: overdue fulfilment alerts by direct message (#25)', () => {
  let desk: SlackDesk;
  let config: DeskConfig;
  let claim: Claim;

  beforeAll(async () => {
    [desk, config] = await Promise.all([SlackDesk.start(), exampleDesk()]);
    ({ claim } = await desk.app.registry.submit(draft({ category: 'defect', contact: CANARY, ...telegramCustomer('8301'), locale: 'en' }), 'slack-fulfilment-1'));
    // Ivan takes the claim (no ping: he took it himself) and accepts it with 10 days for the refund
    expect((await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'take' })).ok).toBe(true);
    const resolved = await desk.app.staff.act({ staffId: 'ivan' }, claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: 'We refund the price.', fulfilmentDays: 10 } });
    expect(resolved.ok).toBe(true);
    await desk.settled();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async () => {
    const found = await desk.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  /** Runs the fulfilment sweep job now and waits until that run finished, then until Slack is synced. */
  const sweep = async () => {
    const job = await desk.app.jobs.now(FULFILMENT_SWEEP_JOB, {});
    const id = new ObjectId(String(job.attrs._id));
    await eventually(async () => (await desk.app.db.collection('agendaJobs').findOne({ _id: id }))?.lastFinishedAt instanceof Date, 15_000);
    await desk.settled();
  };
  /** The due date is `ago` in the past; the sweep's next look is due now. */
  const dueAgo = async (ago: number) => {
    const dueAt = new Date(Date.now() - ago);
    await desk.app.db.collection('claims').updateOne({ _id: new ObjectId(claim.id) }, { $set: { 'fulfilment.dueAt': dueAt, fulfilmentNextAt: new Date(Date.now() - 1_000) } });
    return dueAt;
  };
  /** The bot's messages in a member's DM (the channel conversations.open answers for them) about this alert. */
  const alerts = (userId: string, kind: 'fulfilment_overdue' | 'fulfilment_escalated', locale: 'ru' | 'en', dueAt: Date) =>
    desk.dmMessages(userId).filter((message) => message.text === t(locale, `staff.alert.${kind}`, { number: claim.number, due: labels.when({ desk: config, locale }, dueAt) }));
  const fulfilmentEvents = async () => (await fresh()).history.map((event) => event.type).filter((type) => type.startsWith('fulfilment_'));

  it('the due date passes: the assignee gets one DM with the claim number, the heads nothing yet', async () => {
    // nothing is due before the date
    await sweep();
    expect(await fulfilmentEvents()).toEqual([]);
    expect(desk.dmMessages(IVAN)).toEqual([]);

    const dueAt = await dueAgo(60_000);
    const opens = desk.fake.callsTo('conversations.open').length;
    await sweep();
    await sweep();
    expect(await fulfilmentEvents()).toEqual(['fulfilment_overdue']);
    // the DM went to the channel conversations.open gave for Ivan's Slack user, in his language (ru)
    const opened = desk.fake.callsTo('conversations.open').slice(opens).filter((call) => call.params.users === IVAN);
    expect(opened.length).toBeGreaterThan(0);
    const dm = (opened[0]?.response as { channel?: { id?: string } } | undefined)?.channel?.id;
    expect(dm).toBe(desk.fake.dmChannelFor(IVAN));
    const posted = desk.fake.callsTo('chat.postMessage').filter((call) => call.params.channel === dm);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.params.text).toContain(claim.number);
    expect(alerts(IVAN, 'fulfilment_overdue', 'ru', dueAt)).toHaveLength(1);
    // the escalation is not due yet: the head has nothing about it, nor anybody else
    for (const userId of [SERGEY, MARIA, OLGA]) expect(desk.dmMessages(userId)).toEqual([]);
  });

  it('a day later the head gets one DM of the escalation; the assignee\'s alert is not repeated', async () => {
    const dueAt = await dueAgo(25 * HOUR);
    await sweep();
    await sweep();
    expect(await fulfilmentEvents()).toEqual(['fulfilment_overdue', 'fulfilment_escalated']);
    // Sergey is the head of quality; he reads English
    expect(desk.dmMessages(SERGEY)).toHaveLength(1);
    expect(alerts(SERGEY, 'fulfilment_escalated', 'en', dueAt)).toHaveLength(1);
    expect(desk.dmMessages(SERGEY)[0]?.text).toContain(claim.number);
    expect(desk.dmMessages(IVAN)).toHaveLength(1);
    for (const userId of [MARIA, OLGA]) expect(desk.dmMessages(userId)).toEqual([]);

    // more sweeps: nothing more to anyone, and nothing left for the sweep to look at
    await sweep();
    expect(desk.dmMessages(SERGEY)).toHaveLength(1);
    expect(desk.dmMessages(IVAN)).toHaveLength(1);
    expect(await desk.app.db.collection('claims').countDocuments({ _id: new ObjectId(claim.id), fulfilmentNextAt: { $exists: true } })).toBe(0);
  });

  it('the direct messages carry none of the customer\'s contact', () => {
    const sent = JSON.stringify([desk.dmMessages(IVAN), desk.dmMessages(SERGEY)]);
    expect(sent).toContain(claim.number);
    for (const part of CANARY_PARTS) expect(sent).not.toContain(part);
  });
});
