import type { Agenda } from 'agenda';
import type { ActionAlertSender, CapaDesk } from '../capa-desk.js';
import type { ActionStore } from '../store/corrective-actions.js';
import { scheduleClaimSweep, type ClaimSweepOptions } from './sweep.js';

/** The sweep that records reminders, overdue notices and escalations of corrective actions. */
export const CAPA_REMINDER_JOB = 'capa.reminders';
/** The sweep that sends the alerts corrective actions owe staff. */
export const CAPA_ALERT_JOB = 'capa.alerts';

export interface CapaJobPorts {
  readonly capa: Pick<CapaDesk, 'runReminders' | 'deliverAlerts'>;
  readonly store: Pick<ActionStore, 'listDueChecks' | 'listAlertsPending' | 'deferAlerts'>;
  /** How staff are told (Slack DMs); without one the alerts wait (their flag stays set). */
  readonly send?: ActionAlertSender;
}

/**
 * Schedules the corrective actions' sweeps: reminders (each once per action and due date,
 * whatever the number of workers: recorded by compare-and-swap from what the history says), and,
 * when staff can be reached, the alerts (each event × recipient once: marked after it is sent).
 * Both run as repeating Agenda jobs, which Agenda runs on one worker at a time.
 * @example await scheduleCapaJobs(agenda, { capa, store, send: slackActionAlert(api, desk) }, { every: '1 minute' });
 */
export async function scheduleCapaJobs(agenda: Agenda, ports: CapaJobPorts, options: ClaimSweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(agenda, CAPA_REMINDER_JOB, { list: (now, limit) => ports.store.listDueChecks(now, limit), step: (id) => ports.capa.runReminders(id) }, { ...options, batch: 100 });
  const send = ports.send;
  if (send) {
    await scheduleClaimSweep(
      agenda,
      CAPA_ALERT_JOB,
      {
        list: (now, limit) => ports.store.listAlertsPending(now, limit),
        step: (id) => ports.capa.deliverAlerts(id, send),
        // a failing delivery (Slack down) waits five minutes; the others go on
        failed: (id, now) => ports.store.deferAlerts(id, new Date(now.getTime() + 5 * 60_000)),
      },
      { ...options, batch: 50 },
    );
  }
}
