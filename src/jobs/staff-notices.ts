import type { Agenda } from 'agenda';
import type { ActionAlertSender } from '../capa-desk.js';
import type { DeskConfig } from '../domain/desk.js';
import type { Claim } from '../domain/lifecycle.js';
import { actionNotice, claimNotices, type StaffNotice } from '../domain/staff-alerts.js';
import { scheduleClaimSweep } from './sweep.js';

/** The job that stores the console's notifications of claims changed while the immediate delivery failed (a crash, an outage). */
export const STAFF_NOTICE_SWEEP_JOB = 'staff.notice-sweep';

/** Where the notices go and the claims they come from (the store's StaffNoticeStore and ClaimRepository). */
export interface StaffNoticePorts {
  readonly notices: { deliver(notices: readonly StaffNotice[]): Promise<number> };
  readonly claims: {
    findById(claimId: string): Promise<Claim | undefined>;
    listConsoleAlertsPending(before: Date, limit: number): Promise<string[]>;
    markConsoleAlerted(claimId: string, version: number): Promise<void>;
  };
}

/**
 * The console's notifications (#25 "Alerts without Slack"): whoever `alertsFor` says is alerted
 * about a claim's event gets a notice in the console, whether or not the desk has Slack (with
 * Slack they get both). Each notice is stored once under its alert's key (a unique index), so a
 * delivery repeated by another worker or after a crash changes nothing; the claim's mark is cleared
 * for the version delivered, so a change made meanwhile is delivered by the next run.
 * @example registry.onChange((claim) => void notices.deliverClaim(claim));
 */
export class ConsoleNotices {
  constructor(
    private readonly desk: DeskConfig,
    private readonly ports: StaffNoticePorts,
  ) {}

  /** Stores the notices a claim (as it is now) owes, then marks this version done. Returns how many were new. */
  async deliverClaim(claim: Claim): Promise<number> {
    const added = await this.ports.notices.deliver(claimNotices(claim, this.desk));
    await this.ports.claims.markConsoleAlerted(claim.id, claim.version);
    return added;
  }

  /** The sweep's step: the claim read afresh. */
  async deliver(claimId: string): Promise<number> {
    const claim = await this.ports.claims.findById(claimId);
    return claim ? this.deliverClaim(claim) : 0;
  }

  /** Corrective actions' alerts as console notices (the CAPA alert sweep decides who and when; Slack gets them too when it runs). */
  readonly actionAlert: ActionAlertSender = async (member, action, event) => {
    await this.ports.notices.deliver([actionNotice(member.id, action, event)]);
  };
}

export interface StaffNoticeSweepOptions {
  /** How often the sweep runs (default every minute). */
  readonly every?: string | number;
  /** A change younger than this is left to the immediate delivery (default 10 s). */
  readonly graceMs?: number;
  /** Failures, by claim id and code only. */
  readonly onError?: (claimId: string, error: unknown) => void;
  readonly now?: () => Date;
}

/**
 * Defines the notice sweep and schedules it to repeat: claims whose latest change has not had its
 * notices stored (the immediate delivery failed or the worker stopped) get them here.
 * @example await scheduleStaffNoticeSweep(agenda, notices, ports.claims, { every: '1 minute' });
 */
export async function scheduleStaffNoticeSweep(agenda: Agenda, notices: Pick<ConsoleNotices, 'deliver'>, claims: StaffNoticePorts['claims'], options: StaffNoticeSweepOptions = {}): Promise<void> {
  await scheduleClaimSweep(
    agenda,
    STAFF_NOTICE_SWEEP_JOB,
    { list: (now, limit) => claims.listConsoleAlertsPending(new Date(now.getTime() - (options.graceMs ?? 10_000)), limit), step: (claimId) => notices.deliver(claimId) },
    { ...options, batch: 100 },
  );
}

/** Several ways of telling staff of an action's event as one (the console's first: stored, then Slack's). */
export function allActionAlerts(senders: readonly (ActionAlertSender | undefined)[]): ActionAlertSender | undefined {
  const present = senders.filter((send): send is ActionAlertSender => send !== undefined);
  if (present.length === 0) return undefined;
  return async (member, action, event) => {
    for (const send of present) await send(member, action, event);
  };
}
