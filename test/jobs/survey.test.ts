import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { t } from '../../src/i18n/index.js';
import { projectRoot } from '../../src/store/local/paths.js';
import { nextSurveyStep } from '../../src/domain/survey.js';
import { SurveyConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { draft, eventually } from '../support/fixtures.js';
import type { StoredMessage } from '../support/slack-api.js';
import { MARIA, QUALITY, SlackDesk, TEAM } from '../support/slack-desk.js';

const HOUR = 3_600_000;

describe('survey rules (pure)', () => {
  const config = SurveyConfig.parse({ delayMinutes: 60, reminderAfterHours: 24, windowHours: 72, cooldownHours: 24 });
  const now = new Date('2026-11-23T10:00:00Z');
  const later = (hours: number) => new Date(now.getTime() + hours * HOUR);
  const resolved = { status: 'resolved', decision: { outcome: 'accepted' } };

  it('sends, reminds once, then closes when the window ends', () => {
    const send = nextSurveyStep(resolved, config, now, false);
    expect(send).toEqual({ kind: 'send', record: { sentAt: now, closeAt: later(72) }, nextAt: later(24) });
    if (send.kind !== 'send') throw new Error('expected send');
    expect(nextSurveyStep({ ...resolved, survey: send.record }, config, later(1), false)).toEqual({ kind: 'wait', nextAt: later(24) });
    const remind = nextSurveyStep({ ...resolved, survey: send.record }, config, later(25), false);
    expect(remind).toMatchObject({ kind: 'remind', nextAt: later(72) });
    if (remind.kind !== 'remind') throw new Error('expected remind');
    expect(nextSurveyStep({ ...resolved, survey: remind.record }, config, later(30), false)).toEqual({ kind: 'wait', nextAt: later(72) });
    expect(nextSurveyStep({ ...resolved, survey: { ...send.record, score: 5 } }, config, later(30), false)).toEqual({ kind: 'wait', nextAt: later(72) });
    expect(nextSurveyStep({ ...resolved, survey: send.record }, config, later(72), false)).toEqual({ kind: 'close' });
  });

  it('no survey for spam or duplicates, nor within the cooldown; a claim no longer resolved has nothing to do', () => {
    expect(nextSurveyStep({ status: 'resolved', decision: { outcome: 'rejected', reason: 'spam' } }, config, now, false)).toMatchObject({ kind: 'skip', record: { skipped: 'spam_or_duplicate' } });
    expect(nextSurveyStep({ status: 'resolved', decision: { outcome: 'rejected', reason: 'duplicate' } }, config, now, false)).toMatchObject({ kind: 'skip' });
    expect(nextSurveyStep({ status: 'resolved', decision: { outcome: 'rejected', reason: 'unfounded' } }, config, now, false)).toMatchObject({ kind: 'send' });
    expect(nextSurveyStep(resolved, config, now, true)).toMatchObject({ kind: 'skip', record: { skipped: 'cooldown' }, nextAt: later(72) });
    expect(nextSurveyStep({ ...resolved, status: 'in_review' }, config, now, false)).toEqual({ kind: 'none' });
  });
});

const sections = (message: StoredMessage | undefined) => (Array.isArray(message?.blocks) ? (message.blocks as { type: string; text?: { text: string }; elements?: { value: string; text: { text: string } }[] }[]) : []);
const shown = (message: StoredMessage | undefined) => sections(message).filter((block) => block.type === 'section').map((block) => block.text?.text ?? '').join('');

describe('the satisfaction survey, end to end in a Slack DM', () => {
  let desk: SlackDesk;
  const EMMA = 'U0EMMA0002';
  const staff = { kind: 'staff' as const, staffId: 'maria' };

  beforeAll(async () => {
    // seconds instead of hours: the survey at once, a reminder after ~1.1 s, the window ~5.8 s
    const config = parse(await readFile(path.join(projectRoot, 'config/desk.example.yaml'), 'utf8')) as { survey: Record<string, unknown> };
    config.survey = { delayMinutes: 0, reminderAfterHours: 0.0003, windowHours: 0.0016, cooldownHours: 24 };
    const dir = await mkdtemp(path.join(tmpdir(), 'claimdesk-survey-'));
    const file = path.join(dir, 'desk.yaml');
    await writeFile(file, stringify(config));
    desk = await SlackDesk.start({ env: { DESK_CONFIG: file }, surveyEvery: 150 });
    desk.fake.addUser({ id: EMMA, name: 'emma', realName: 'Emma Stone', locale: 'en-GB' });
  });
  afterAll(async () => {
    await desk.stop();
  });

  const fresh = async (claim: Claim) => {
    const found = await desk.app.claims.findById(claim.id);
    if (!found) throw new Error('claim vanished');
    return found;
  };
  const dm = () => desk.dmMessages(EMMA);
  const emmaClaim = (key: string) =>
    desk.app.registry.submit(
      draft({ customer: { channel: 'slack', userId: EMMA, teamId: TEAM }, conversation: { channel: 'slack', chatId: desk.fake.dmChannelFor(EMMA), teamId: TEAM }, locale: 'en' }),
      key,
    );

  it('survey after resolution, one reminder, a low score with a comment alerts the department and the assignee, the claim closes after the window', async () => {
    const { claim } = await emmaClaim('survey-1');
    await desk.app.registry.assign(claim.id, 'maria', staff);
    await desk.app.registry.apply(claim.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'repair', responseText: 'We will repair it.' } }, staff);

    await eventually(() => dm().some((message) => shown(message) === t('en', 'survey.ask', { number: claim.number })));
    const survey = dm().find((message) => shown(message) === t('en', 'survey.ask', { number: claim.number }));
    const buttons = sections(survey).flatMap((block) => block.elements ?? []);
    expect(buttons.map((button) => button.text.text)).toEqual(['1', '2', '3', '4', '5']);

    await eventually(() => dm().some((message) => shown(message) === t('en', 'survey.reminder', { number: claim.number })));
    const two = buttons.find((button) => button.text.text === '2');
    expect((await desk.choose(EMMA, two?.value ?? '')).status).toBe(200);
    await desk.settled();
    expect(shown(dm().at(-1))).toBe(t('en', 'survey.ask_comment'));
    // she changes her mind to 1, then back to 2: the score follows, the alert is not repeated
    const one = buttons.find((button) => button.text.text === '1');
    await desk.choose(EMMA, one?.value ?? '');
    await desk.choose(EMMA, two?.value ?? '');
    await desk.settled();
    expect((await desk.dm(EMMA, 'It took too long.')).status).toBe(200);
    await desk.settled();
    expect(shown(dm().at(-1))).toBe(t('en', 'survey.thanks'));

    const answered = await fresh(claim);
    expect(answered.survey).toMatchObject({ score: 2, comment: 'It took too long.' });
    expect(answered.status).toBe('resolved');
    // a low score: the department's channel and Maria hear of it
    const alerts = [1, 2].map((score) => t('ru', 'staff.survey.low', { number: claim.number, score }));
    // the first low answer alerted (it was 2); the change to 1 and back did not alert again
    expect(desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts === undefined && alerts.includes(message.text)).map((message) => message.text)).toEqual([alerts[1]]);
    const alert = alerts[1] ?? '';
    expect(desk.fake.messagesIn(desk.fake.dmChannelFor(MARIA)).map((message) => message.text)).toContain(alert);

    await eventually(async () => (await fresh(claim)).status === 'closed', 15_000);
    await eventually(() => dm().some((message) => shown(message) === t('en', 'notice.close', { number: claim.number })));
    const closed = await fresh(claim);
    expect(closed.history.filter((event) => event.type === 'survey_sent')).toHaveLength(1);
    expect(closed.history.filter((event) => event.type === 'survey_reminder')).toHaveLength(1);
    expect(dm().filter((message) => shown(message) === t('en', 'survey.ask', { number: claim.number }))).toHaveLength(1);

    // the window is over: a late press changes nothing
    expect((await desk.choose(EMMA, buttons[4]?.value ?? '')).status).toBe(200);
    await desk.settled();
    expect(shown(dm().at(-1))).toBe(t('en', 'survey.unavailable'));
    expect((await fresh(claim)).survey?.score).toBe(2);
  });

  it('no second survey within the cooldown, and none for spam; both claims still close after the window', async () => {
    const { claim: again } = await emmaClaim('survey-2');
    await desk.app.registry.apply(again.id, { action: 'resolve', decision: { outcome: 'accepted', remedy: 'refund', responseText: 'Refunded.' } }, staff);
    const { claim: spam } = await desk.app.registry.submit(draft({ customer: { channel: 'telegram', userId: '8001' }, conversation: { channel: 'telegram', chatId: '8001' } }), 'survey-3');
    await desk.app.registry.apply(spam.id, { action: 'resolve', decision: { outcome: 'rejected', reason: 'spam', responseText: 'This is not a claim.' } }, staff);
    await eventually(async () => (await fresh(again)).status === 'closed' && (await fresh(spam)).status === 'closed', 15_000);
    expect((await fresh(again)).survey).toMatchObject({ skipped: 'cooldown' });
    expect((await fresh(spam)).survey).toMatchObject({ skipped: 'spam_or_duplicate' });
    expect(dm().some((message) => shown(message) === t('en', 'survey.ask', { number: again.number }))).toBe(false);
  });
});
