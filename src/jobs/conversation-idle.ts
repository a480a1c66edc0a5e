import type { Agenda } from 'agenda';
import type { ConversationRunner } from '../../flows/runner.js';

/** The job that closes dialogs left idle (the desk config's `conversation.idleMinutes`). */
export const IDLE_SWEEP_JOB = 'conversation.idle-sweep';

/**
 * Defines the idle sweep and schedules it to repeat. The job carries no data; each run closes
 * what is idle by then, and closing twice is impossible (the runner records each close as an
 * update of the conversation, compare-and-swap on its version), so at-least-once is safe.
 * @example await scheduleIdleSweep(agenda, runner, '5 minutes');
 */
export async function scheduleIdleSweep(agenda: Agenda, runner: ConversationRunner, every: string | number = '5 minutes'): Promise<void> {
  agenda.define(IDLE_SWEEP_JOB, async () => {
    // keep sweeping while a full batch came back, so a backlog does not wait for the next run
    while ((await runner.expireIdle(100)) === 100);
  });
  await agenda.every(every, IDLE_SWEEP_JOB);
}
