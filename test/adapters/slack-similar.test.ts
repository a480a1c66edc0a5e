import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/index.js';
import { draft, eventually, telegramCustomer } from '../support/fixtures.js';
import { IVAN, QUALITY, SLACK_TOKEN, SlackDesk } from '../support/slack-desk.js';
import { ACTIONS } from '../../adapters/slack/render.js';
import { SlackApi } from '../../adapters/slack/api.js';
import { SlackClaimSync } from '../../adapters/slack/sync.js';
import { SlackPostStore } from '../../src/store/slack-posts.js';

describe('similar claims in the Slack thread (#24)', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    desk = await SlackDesk.start();
  });
  afterAll(async () => {
    await desk.stop();
  });

  const cardOf = (number: string) => desk.fake.messagesIn(QUALITY).find((message) => message.thread_ts === undefined && JSON.stringify(message.blocks).includes(number));
  const threadOf = (number: string) => desk.fake.messagesIn(QUALITY).filter((message) => message.thread_ts !== undefined && message.thread_ts === cardOf(number)?.ts);
  const similarIn = (number: string) => threadOf(number).filter((message) => message.text.startsWith(t('ru', 'analysis.similar.title')));

  it('a new claim\'s thread gets its similar earlier claims once: number, status, similarity — never the description', async () => {
    const submit = async (key: string, description: string, product: string, customer: string) =>
      (await desk.app.registry.submit(draft({ category: 'defect', concerns: { product }, description, ...telegramCustomer(customer) }), key)).claim;
    const leak = await submit('similar-1', 'Чайник протекает снизу, на столе лужа воды после каждого кипячения.', 'Чайник КТ-200', '8101');
    const toaster = await submit('similar-2', 'Тостер сжигает хлеб даже на самом слабом режиме.', 'Тостер Т-1', '8102');
    await desk.settled();
    // the first claims have nothing similar before them: no message
    expect(similarIn(leak.number)).toEqual([]);
    const again = await submit('similar-3', 'Из чайника протекает вода, лужа на столе.', 'чайник кт200', '8103');
    await eventually(() => similarIn(again.number).length === 1);
    const [message] = similarIn(again.number);
    expect(message?.text).toContain(leak.number);
    expect(message?.text).toContain(t('ru', 'staff.status.new'));
    expect(message?.text).not.toContain(toaster.number);
    expect(message?.text).not.toContain('лужа');
    // another sync while the claim is still new (another instance, the sweep) does not post it again
    const sync = new SlackClaimSync({
      desk: desk.app.registry.desk,
      api: new SlackApi({ token: SLACK_TOKEN, apiUrl: desk.fake.url }),
      posts: new SlackPostStore(desk.app.db),
      claims: desk.app.claims,
      onError: () => undefined,
      similar: () => Promise.resolve([{ claim: { id: leak.id, number: leak.number, status: 'new', createdAt: leak.createdAt, department: 'quality', description: '' }, score: 1, text: 1, sameProduct: true, actions: [] }]),
    });
    await eventually(async () => (await sync.sync(again.id)) === 'synced');
    expect(similarIn(again.number)).toHaveLength(1);
    // later changes do not post it again
    await desk.app.registry.apply(again.id, { action: 'take' }, { kind: 'staff', staffId: 'ivan' });
    await desk.settled();
    await eventually(() => threadOf(again.number).some((line) => line.text === t('ru', 'staff.history.take', { who: 'Ivan Petrov' })));
    expect(similarIn(again.number)).toHaveLength(1);

    // the investigation modal shows them too, above the record (never the descriptions)
    await desk.app.registry.apply(again.id, { action: 'investigate' }, { kind: 'staff', staffId: 'ivan' });
    const mark = desk.fake.calls.length;
    await desk.press(IVAN, ACTIONS.recordInvestigation, again.id);
    const call = await desk.fake.waitForCall('views.open', (candidate) => desk.fake.calls.indexOf(candidate) >= mark);
    const view = JSON.stringify((call.response as { view?: unknown } | undefined)?.view);
    expect(view).toContain(t('ru', 'analysis.similar.title'));
    expect(view).toContain(leak.number);
    expect(view).not.toContain('лужа');
  });
});
