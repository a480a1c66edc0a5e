import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Channel } from './domain/claim.js';
import type { Claim, ClaimEvent } from './domain/lifecycle.js';
import type { RunnerObserver } from '../flows/runner.js';
import type { JobObserver } from './jobs/schedule.js';
import type { RequestInfo } from './http.js';

/** Seconds buckets for work that takes milliseconds to seconds (a dialog step, a job, a request). */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds buckets for the outbound queue: a bulk message waits up to seconds for its turn. */
const WAIT_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** What the desk's metrics read of the Telegram pacer: its queue, and each bulk message's wait. */
export interface WatchedPacer {
  readonly queued: number;
  observeWaits(listener: (ms: number) => void): void;
}

/**
 * The desk's metrics for `GET /metrics`, on a registry of its own (several desks in one process,
 * as in the tests, never share counters), with narrow hooks for the seams that see the work: the
 * conversation runner (`runner`), the registry's change listener (`claimChanged`), the jobs
 * (`jobs`), the Telegram pacer (`watchTelegramPacer`) and the HTTP server (`request`). Labels are
 * channels, outcomes, actions, job names and route patterns only: never ids or personal data.
 * @example const metrics = createMetrics(); registry.onChange(metrics.claimChanged); const text = await metrics.registry.metrics();
 */
export interface DeskMetrics {
  readonly registry: Registry;
  readonly runner: RunnerObserver;
  readonly jobs: JobObserver;
  /** For `registry.onChange`: counts registrations, transitions, SLA warnings and breaches, survey scores. */
  readonly claimChanged: (claim: Claim, events: readonly ClaimEvent[]) => void;
  /** For the HTTP server's request hook. */
  readonly request: (request: RequestInfo) => void;
  watchTelegramPacer(pacer: WatchedPacer): void;
}

/** Builds the registry with the default process metrics and the desk's own (names in docs/grafana-dashboard.json and the README). */
export function createMetrics(): DeskMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const updatesReceived = new Counter({ name: 'claimdesk_updates_received_total', help: 'Inbound updates the conversation runner took up, per channel.', labelNames: ['channel'], registers: [registry] });
  const updatesHandled = new Counter({
    name: 'claimdesk_updates_handled_total',
    help: 'Inbound updates recorded, per channel and outcome: handled, duplicate (a redelivery), failed (set aside as a dead letter), retry (not recorded; the channel delivers it again).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const stepSeconds = new Histogram({ name: 'claimdesk_dialog_step_seconds', help: 'Time from taking up an update to its dialog step being saved (replies not included), per channel.', labelNames: ['channel'], buckets: SECONDS, registers: [registry] });
  const deadLetters = new Counter({ name: 'claimdesk_dead_letters_total', help: 'Updates set aside because handling them failed for good, per channel and failure code.', labelNames: ['channel', 'code'], registers: [registry] });
  const registered = new Counter({ name: 'claimdesk_claims_registered_total', help: 'Claims registered by this instance, per channel.', labelNames: ['channel'], registers: [registry] });
  const transitions = new Counter({ name: 'claimdesk_claim_transitions_total', help: 'Claim status changes, per action (take, resolve, close…).', labelNames: ['action'], registers: [registry] });
  const sla = new Counter({ name: 'claimdesk_sla_events_total', help: 'SLA warnings and breaches recorded, per deadline (first_response, resolution) and stage (warning, breach).', labelNames: ['deadline', 'stage'], registers: [registry] });
  const surveyScores = new Histogram({ name: 'claimdesk_survey_score', help: 'Satisfaction scores customers gave (1–5).', buckets: [1, 2, 3, 4, 5], registers: [registry] });
  const notifications = new Counter({ name: 'claimdesk_notifications_total', help: 'Customer notifications, per channel and result: sent, retried (a failed send the job retries), failed (given up; staff are told).', labelNames: ['channel', 'result'], registers: [registry] });
  const jobs = new Counter({ name: 'claimdesk_jobs_total', help: 'Agenda job runs in this instance, per job name and outcome (success, failure).', labelNames: ['job', 'outcome'], registers: [registry] });
  const jobSeconds = new Histogram({ name: 'claimdesk_job_duration_seconds', help: 'Agenda job run time, per job name and outcome.', labelNames: ['job', 'outcome'], buckets: SECONDS, registers: [registry] });
  const queueWait = new Histogram({ name: 'claimdesk_telegram_queue_wait_seconds', help: 'How long a bulk Telegram message (a notification) waited for its turn in the sending budget.', buckets: WAIT_SECONDS, registers: [registry] });
  const httpSeconds = new Histogram({ name: 'claimdesk_http_request_duration_seconds', help: 'HTTP requests, per method, route pattern and status.', labelNames: ['method', 'route', 'status'], buckets: SECONDS, registers: [registry] });
  let pacer: WatchedPacer | undefined;
  new Gauge({
    name: 'claimdesk_telegram_queue_depth',
    help: 'Bulk Telegram messages waiting for their turn in this instance.',
    registers: [registry],
    collect() {
      this.set(pacer?.queued ?? 0);
    },
  });

  const channelOf = (claim: Claim): Channel => claim.conversation.channel;
  return {
    registry,
    runner: {
      received: (channel) => updatesReceived.inc({ channel }),
      recorded: (channel, outcome, seconds) => {
        updatesHandled.inc({ channel, outcome });
        if (outcome !== 'retry') stepSeconds.observe({ channel }, seconds);
      },
      setAside: (channel, code) => deadLetters.inc({ channel, code }),
    },
    jobs: {
      ran: (job, outcome, seconds) => {
        jobs.inc({ job, outcome });
        jobSeconds.observe({ job, outcome }, seconds);
      },
      notification: (channel, result) => notifications.inc({ channel, result }),
    },
    claimChanged: (claim, events) => {
      for (const event of events) {
        if (event.type === 'registered') registered.inc({ channel: channelOf(claim) });
        else if (event.type === 'status_changed' && event.action) transitions.inc({ action: event.action });
        else if ((event.type === 'sla_warning' || event.type === 'sla_breach') && event.slaDeadline) sla.inc({ deadline: event.slaDeadline, stage: event.type === 'sla_warning' ? 'warning' : 'breach' });
        else if (event.type === 'survey_answered' && event.score !== undefined) surveyScores.observe(event.score);
      }
    },
    request: (request) => httpSeconds.observe({ method: request.method, route: request.route, status: String(request.status) }, request.ms / 1000),
    watchTelegramPacer(watched) {
      pacer = watched;
      watched.observeWaits((ms) => queueWait.observe(ms / 1000));
    },
  };
}
