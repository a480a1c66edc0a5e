import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agenda } from 'agenda';
import { setupDesk, TestChat, TestClock } from '../support/chat.js';
import { createScheduler } from '../../src/jobs/agenda.js';
import { IDLE_SWEEP_JOB, scheduleIdleSweep } from '../../src/jobs/conversation-idle.js';
import { t } from '../../src/i18n/index.js';

const clock = new TestClock();
const env = setupDesk('idlejob', { clock, tweak: (desk) => ({ ...desk, conversation: { idleMinutes: 10 } }) });
let agenda: Agenda;

beforeAll(() => {
  agenda = createScheduler(env.db.db, { processEveryMs: 100 });
});
afterAll(async () => {
  await agenda.stop();
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the idle sweep job', () => {
  it('runs on Agenda, closes an idle dialog with one polite message, and is scheduled once however often the app starts', async () => {
    const chat = new TestChat(env.app.runner, { languageCode: 'ru' });
    await chat.send('/new');
    clock.advance(11 * 60_000);
    await scheduleIdleSweep(agenda, env.app.runner, 200);
    await scheduleIdleSweep(agenda, env.app.runner, 200);
    await agenda.start();
    const closing = t('ru', 'idle.closed', { minutes: 10 });
    await until(() => env.app.channel.to(chat.from.chatId).some((m) => m.text === closing));
    // several more runs: still exactly one message
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(env.app.channel.to(chat.from.chatId).filter((m) => m.text === closing)).toHaveLength(1);
    expect(await env.db.db.collection('agendaJobs').countDocuments({ name: IDLE_SWEEP_JOB })).toBe(1);
    const job = await env.db.db.collection('agendaJobs').findOne({ name: IDLE_SWEEP_JOB });
    expect(job?.['data'] ?? null).toBeNull();
  });
});
