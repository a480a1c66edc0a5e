import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { formatDateTime } from '../../src/i18n/index.js';
import { CAPA_ALERT_JOB } from '../../src/jobs/capa.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { IVAN, MARIA, OLGA, SlackDesk, STRANGER } from '../support/slack-desk.js';

const DAY = 86_400_000;

describe('corrective actions in Slack', () => {
  let desk: SlackDesk;
  let dueAt: Date;

  beforeAll(async () => {
    desk = await SlackDesk.start();
    const { claim } = await desk.app.registry.submit(draft({ category: 'defect', ...telegramCustomer('7201') }), 'slack-capa-1');
    dueAt = new Date(Date.now() + 3 * DAY);
    const opened = await desk.app.capa.open({ staffId: 'maria' }, claim.number, { kind: 'corrective', description: 'Check the <KT-200> thermostats', ownerId: 'ivan', dueAt });
    if (!opened.ok) throw new Error(`not opened: ${opened.reason}`);
  });
  afterAll(() => desk.stop());

  const text = (res: { json(): unknown }) => (res.json() as { text: string }).text;

  it('pings the owner by direct message once the alert sweep runs, in their language, with the description escaped', async () => {
    await desk.app.jobs.now(CAPA_ALERT_JOB, {});
    await eventually(() => desk.dmMessages(IVAN).length > 0, 10_000);
    const due = formatDateTime(dueAt, 'ru', 'Europe/Moscow');
    expect(desk.dmMessages(IVAN).map((message) => message.text)).toEqual([
      t('ru', 'capa.alert.assigned', { number: `A-${new Date().getUTCFullYear()}-0001`, description: '\u2068Check the &lt;KT-200&gt; thermostats\u2069', due }),
    ]);
    // the one who opened it is not told of it
    expect(desk.dmMessages(MARIA)).toEqual([]);
    await desk.app.jobs.now(CAPA_ALERT_JOB, {});
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(desk.dmMessages(IVAN)).toHaveLength(1);
  });

  it('/capa mine lists the caller\'s open actions; others get the usage or a refusal', async () => {
    const mine = text(await desk.command(IVAN, '/capa', 'mine'));
    expect(mine).toContain(t('ru', 'capa.mine.title', { count: 1 }));
    expect(mine).toContain(`A-${new Date().getUTCFullYear()}-0001`);
    expect(text(await desk.command(OLGA, '/capa', 'mine'))).toBe(t('ru', 'capa.mine.none'));
    expect(text(await desk.command(IVAN, '/capa', 'all'))).toBe(t('ru', 'capa.command.usage'));
    expect(text(await desk.command(STRANGER, '/capa', 'mine'))).toBe(t('ru', 'staff.refused.not_staff'));
  });
});
