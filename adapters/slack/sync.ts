import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { alertsFor, type Alert } from '../../src/domain/alerts.js';
import { staffById } from '../../src/domain/staff.js';
import { slackErrorCode, slackFailure, type SlackApi } from './api.js';
import { decisionAlert, assignmentPing, claimCard, departmentNotice, historyLine, lowScoreAlert, movedInNotice, slaAlert, type RenderContext, type SlackMessage } from './render.js';

/** The claim's lease expired during a stall and someone else holds it now: stop, they carry on. */
class LeaseLost extends Error {}
import { claimForViewer } from '../../src/domain/personal-data.js';
import type { SimilarFinding } from '../../src/similar-claims.js';
import { similarThread } from './similar.js';

/** The card in the claim's department channel: the one Slack post with the customer's contact (#26). */
const IN_DEPARTMENT_CHANNEL = { personal: { masked: false, hiddenFiles: 0 } } as const;

/** Where the claim's Slack post is and what was done for its events (the SlackPostStore). */
export interface SlackPostPort {
  find(claimId: string): Promise<{ readonly channel?: string; readonly ts?: string; readonly doneEvents: readonly string[] } | undefined>;
  lease(claimId: string, ms: number): Promise<string | undefined>;
  renew(claimId: string, token: string, ms: number): Promise<boolean>;
  release(claimId: string, token: string): Promise<void>;
  setMessage(claimId: string, channel: string, ts: string): Promise<void>;
  markDone(claimId: string, key: string): Promise<void>;
  /** Records a message posted about the claim besides its card (so an erasure can rewrite it, #26). */
  recordMessage?(claimId: string, channel: string, ts: string): Promise<void>;
  /** The claim whose card is the message `ts` in `channel` (a message in its thread names it as thread_ts). */
  claimOfMessage(channel: string, ts: string): Promise<string | undefined>;
}

/** The claim read and outbox mark the sync needs (the claim store's ports). */
export interface SyncClaimsPort {
  findById(claimId: string): Promise<Claim | undefined>;
  markStaffSynced(claimId: string, version: number): Promise<void>;
}

export interface SlackSyncOptions {
  readonly desk: DeskConfig;
  readonly api: SlackApi;
  readonly posts: SlackPostPort;
  readonly claims: SyncClaimsPort;
  /** Failures, by claim id and Slack error code only. */
  readonly onError: (claimId: string, failure: string) => void;
  readonly leaseMs?: number;
  /** The similar earlier claims (#24), posted once in a new claim's thread; none without it. */
  readonly similar?: (claim: Claim) => Promise<readonly SimilarFinding[]>;
  /** The web console's address (PUBLIC_URL + `/console`): the card links the claim's files there (#25). */
  readonly consoleUrl?: string;
}

export type SyncOutcome = 'synced' | 'busy' | 'missing';

/**
 * Keeps Slack showing the truth about a claim. For one claim it: posts the card to the
 * department channel (once), carries out each history event not yet done — a threaded reply, and
 * the event's alerts (who gets them is decided by `alertsFor` in src/domain/alerts.ts; here they
 * are only rendered and delivered: a department's channel, a staff member's direct message) —
 * recording each effect as it is done, updates the card in place, and marks the claim's version
 * as shown. Idempotent and safe to run again after a crash: an effect already recorded is skipped;
 * a lease keeps two instances from syncing one claim at once. `kick` runs it right after a change;
 * the sweeper job (src/jobs/staff-sync.ts) catches up whatever a crash or an outage left behind.
 * @example registry.onChange((claim) => sync.kick(claim.id));
 */
export class SlackClaimSync {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly leaseMs: number;

  constructor(private readonly options: SlackSyncOptions) {
    // longer than the slowest single Slack call (rate-limit waits included); renewed before each effect
    this.leaseMs = options.leaseMs ?? 150_000;
  }

  /** Syncs a claim soon, in the background; calls during a run coalesce into one more run. */
  kick(claimId: string): void {
    if (this.running.has(claimId)) {
      this.again.add(claimId);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(claimId);
        try {
          await this.sync(claimId);
        } catch (error) {
          this.options.onError(claimId, slackFailure(error));
        }
      } while (this.again.has(claimId));
    })();
    this.running.set(claimId, run);
    void run.finally(() => this.running.delete(claimId));
  }

  /** Settles when every kicked sync has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Brings Slack up to date with one claim. Throws when Slack fails; the sweeper tries again. */
  async sync(claimId: string): Promise<SyncOutcome> {
    const { posts, claims, desk, api } = this.options;
    const token = await posts.lease(claimId, this.leaseMs);
    if (!token) return 'busy';
    // before each Slack call: still ours? (a lease lost to a stall must not lead to a doubled effect)
    const hold = async () => {
      if (!(await posts.renew(claimId, token, this.leaseMs))) throw new LeaseLost();
    };
    try {
      const claim = await claims.findById(claimId);
      if (!claim) return 'missing';
      const post = await posts.find(claimId);
      const done = new Set(post?.doneEvents ?? []);
      const ctx: RenderContext = { desk, locale: desk.desk.defaultLocale, ...(this.options.consoleUrl ? { consoleUrl: this.options.consoleUrl } : {}) };
      const channel = post?.channel ?? desk.departments.find((department) => department.id === claim.department)?.slackChannel;
      let ts = post?.ts;
      let fresh = false;
      // a card Slack refuses (an archived channel) must not hold back the direct messages below
      let postFailure: Error | undefined;
      if (channel && !ts) {
        const card = claimCard(ctx, claim, IN_DEPARTMENT_CHANNEL);
        try {
          await hold();
          ts = (await api.postMessage({ channel, text: card.text, blocks: card.blocks })).ts;
          await posts.setMessage(claimId, channel, ts);
          fresh = true;
        } catch (error) {
          if (error instanceof LeaseLost) throw error;
          postFailure = error instanceof Error ? error : new Error(String(error));
        }
      }
      let permalink: string | undefined | null = null;
      const link = async () => {
        if (permalink === null) permalink = channel && ts ? await api.permalink(channel, ts) : undefined;
        return permalink;
      };
      const effect = async (key: string, act: () => Promise<void>) => {
        if (done.has(key)) return;
        await hold();
        await act();
        await posts.markDone(claimId, key);
        done.add(key);
      };
      for (const event of claim.history) {
        // a note written in the thread is there already: no second line for it
        const line = event.type === 'staff_note' && event.source === 'slack_thread' ? undefined : historyLine(ctx, claim, event);
        if (line && channel && ts) {
          const threadTs = ts;
          await effect(`${event.id}:thread`, async () => {
            const posted = await api.postMessage({ channel, threadTs, text: line });
            await posts.recordMessage?.(claimId, posted.channel, posted.ts);
          });
        }
        for (const alert of alertsFor(event, claim, desk)) {
          // the claim's own department is told by the card posted above
          if (alert.kind === 'new_claim' && alert.to.kind === 'department' && alert.to.departmentId === claim.department) continue;
          const deliver = this.delivery(claim, alert, channel);
          if (deliver) await effect(alert.key, async () => deliver(await link()));
        }
      }
      // "were there similar problems before?": once, in the thread of a claim just registered (#24)
      const similar = this.options.similar;
      if (similar && channel && ts && (fresh || claim.status === 'new')) {
        const threadTs = ts;
        await effect('similar', async () => {
          const found = await similar(claim);
          if (found.length === 0) return;
          const message = similarThread(desk, desk.desk.defaultLocale, found);
          await api.postMessage({ channel, threadTs, text: message.text, blocks: message.blocks });
        });
      }
      if (postFailure !== undefined) throw postFailure;
      if (channel && ts && !fresh) {
        const card = claimCard(ctx, claim, IN_DEPARTMENT_CHANNEL);
        await hold();
        try {
          await api.updateMessage({ channel, ts, text: card.text, blocks: card.blocks });
        } catch (error) {
          // the card was deleted in Slack: post it again (its thread history stays with the old one)
          if (slackErrorCode(error) !== 'message_not_found') throw error;
          const posted = await api.postMessage({ channel, text: card.text, blocks: card.blocks });
          await posts.setMessage(claimId, channel, posted.ts);
        }
      }
      await claims.markStaffSynced(claimId, claim.version);
      return 'synced';
    } catch (error) {
      if (error instanceof LeaseLost) return 'busy';
      throw error;
    } finally {
      await posts.release(claimId, token);
    }
  }

  /**
   * How Slack delivers an alert (src/domain/alerts.ts), or undefined when it cannot: a department
   * by its channel (the claim's own by the channel its card is in), a staff member by direct
   * message in their language. Who is alerted is decided there, never here.
   */
  private delivery(claim: Claim, alert: Alert, postChannel: string | undefined): ((permalink: string | undefined) => Promise<void>) | undefined {
    const { desk, api } = this.options;
    if (alert.to.kind === 'department') {
      const departmentId = alert.to.departmentId;
      // a claim moved in (#25) is announced in its new department's own channel, not where its card is
      const channel = departmentId === claim.department && alert.kind !== 'moved_in' ? postChannel : desk.departments.find((department) => department.id === departmentId)?.slackChannel;
      if (!channel) return undefined;
      const ctx: RenderContext = { desk, locale: desk.desk.defaultLocale };
      return async (permalink) => {
        const message = this.render(ctx, claim, alert, permalink);
        if (message) await this.recorded(claim.id, await api.postMessage({ channel, text: message.text, blocks: message.blocks }));
      };
    }
    const member = staffById(desk, alert.to.staffId);
    if (!member?.slack) return undefined;
    const userId = member.slack.userId;
    // a direct message: files only for a recipient who may see them, never the contact (#26)
    const shown = claimForViewer(member, claim).claim;
    return async (permalink) => {
      const message = this.render({ desk, locale: member.locale }, shown, alert, permalink);
      if (message) await this.recorded(claim.id, await api.postMessage({ channel: await api.openDm(userId), text: message.text, blocks: message.blocks }));
    };
  }

  private async recorded(claimId: string, posted: { readonly channel: string; readonly ts: string }): Promise<void> {
    await this.options.posts.recordMessage?.(claimId, posted.channel, posted.ts);
  }

  /** The alert's message in Slack. */
  private render(ctx: RenderContext, claim: Claim, alert: Alert, permalink: string | undefined): SlackMessage | undefined {
    switch (alert.kind) {
      case 'department_notice':
        return alert.to.kind === 'department' ? departmentNotice(ctx, claim, alert.to.departmentId, permalink) : undefined;
      case 'assignment':
        return assignmentPing(ctx, claim, alert.event.actor, permalink);
      case 'low_score':
        return alert.event.score === undefined ? undefined : lowScoreAlert(ctx, claim, alert.event.score, permalink);
      case 'sla_warning':
      case 'sla_breach':
        return slaAlert(ctx, claim, alert.event, permalink);
      case 'new_claim':
        return claimCard(ctx, claim, IN_DEPARTMENT_CHANNEL);
      case 'approval_requested':
      case 'decision_returned':
      case 'decision_disputed':
      case 'fulfilment_overdue':
      case 'fulfilment_escalated':
        return decisionAlert(ctx, claim, alert.kind, alert.event, permalink);
      case 'moved_in':
        return movedInNotice(ctx, claim, alert.event, permalink);
    }
  }
}
