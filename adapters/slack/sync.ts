import type { DeskConfig } from '../../src/domain/desk.js';
import type { Claim, ClaimEvent } from '../../src/domain/lifecycle.js';
import { headsOf, staffById } from '../../src/domain/staff.js';
import { slackErrorCode, slackFailure, type SlackApi } from './api.js';

/** The claim's lease expired during a stall and someone else holds it now: stop, they carry on. */
class LeaseLost extends Error {}
import { assignmentPing, claimCard, departmentNotice, historyLine, lowScoreAlert, slaAlert, type RenderContext } from './render.js';
import { LOW_SCORE_MAX } from '../../src/domain/survey.js';
import { claimForViewer } from '../../src/domain/personal-data.js';

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
}

export type SyncOutcome = 'synced' | 'busy' | 'missing';

/**
 * Keeps Slack showing the truth about a claim. For one claim it: posts the card to the
 * department channel (once), carries out each history event not yet done — a threaded reply, the
 * assignment ping by direct message, the notice to the departments on the category's notify list —
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
      const ctx: RenderContext = { desk, locale: desk.desk.defaultLocale };
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
        const line = historyLine(ctx, claim, event);
        if (line && channel && ts) {
          const threadTs = ts;
          await effect(`${event.id}:thread`, async () => {
            await api.postMessage({ channel, threadTs, text: line });
          });
        }
        if (event.type === 'registered') {
          for (const department of this.notifyList(claim)) {
            await effect(`${event.id}:notify:${department.id}`, async () => {
              const message = departmentNotice(ctx, claim, department.id, await link());
              await api.postMessage({ channel: department.channel, text: message.text, blocks: message.blocks });
            });
          }
        }
        if (event.type === 'assigned' && this.shouldPing(claim, event)) {
          await effect(`${event.id}:ping`, async () => this.ping(claim, event, await link()));
        }
        if (event.type === 'survey_answered' && event.score !== undefined && event.score <= LOW_SCORE_MAX) {
          // a low score alerts the department's channel and the assignee
          const score = event.score;
          // once per survey: a customer changing 1 to 2 does not alert twice
          const survey = [...claim.history].reverse().find((candidate) => candidate.type === 'survey_sent' && candidate.at <= event.at)?.id ?? event.id;
          if (channel) {
            await effect(`${survey}:low:channel`, async () => {
              const alert = lowScoreAlert(ctx, claim, score, await link());
              await api.postMessage({ channel, text: alert.text, blocks: alert.blocks });
            });
          }
          const assignee = claim.assigneeId ? staffById(desk, claim.assigneeId) : undefined;
          if (assignee?.slack) {
            const userId = assignee.slack.userId;
            await effect(`${survey}:low:${assignee.id}`, async () => {
              const alert = lowScoreAlert({ desk, locale: assignee.locale }, claim, score, await link());
              await api.postMessage({ channel: await api.openDm(userId), text: alert.text, blocks: alert.blocks });
            });
          }
        }
        if (event.type === 'sla_warning' || event.type === 'sla_breach') {
          // a warning goes to the assignee; a breach is escalated to the department's heads
          const targets = event.type === 'sla_warning' ? (claim.assigneeId ? [claim.assigneeId] : []) : headsOf(desk, claim.department).map((head) => head.id);
          for (const staffId of targets) {
            await effect(`${event.id}:sla:${staffId}`, async () => this.alert(claim, event, staffId, await link()));
          }
        }
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

  /** The departments told about a new claim of this category, other than its own, with a channel. */
  private notifyList(claim: Claim): { id: string; channel: string }[] {
    const category = this.options.desk.categories.find((candidate) => candidate.id === claim.category);
    return (category?.notify ?? [])
      .filter((id) => id !== claim.department)
      .flatMap((id) => {
        const channel = this.options.desk.departments.find((department) => department.id === id)?.slackChannel;
        return channel ? [{ id, channel }] : [];
      });
  }

  /** Only the latest assignment pings, and nobody is pinged about assigning a claim to themselves. */
  private shouldPing(claim: Claim, event: ClaimEvent): boolean {
    if (!event.assigneeId || claim.assigneeId !== event.assigneeId) return false;
    const latest = [...claim.history].reverse().find((candidate) => candidate.type === 'assigned');
    if (latest?.id !== event.id) return false;
    return !(event.actor.kind === 'staff' && event.actor.staffId === event.assigneeId);
  }

  private async alert(claim: Claim, event: ClaimEvent, staffId: string, permalink: string | undefined): Promise<void> {
    const member = staffById(this.options.desk, staffId);
    if (!member?.slack) return;
    const dm = await this.options.api.openDm(member.slack.userId);
    // a direct message: files only for a recipient who may see them, never the contact (#26)
    const message = slaAlert({ desk: this.options.desk, locale: member.locale }, claimForViewer(member, claim).claim, event, permalink);
    await this.options.api.postMessage({ channel: dm, text: message.text, blocks: message.blocks });
  }

  private async ping(claim: Claim, event: ClaimEvent, permalink: string | undefined): Promise<void> {
    const member = event.assigneeId ? staffById(this.options.desk, event.assigneeId) : undefined;
    if (!member?.slack) return;
    const dm = await this.options.api.openDm(member.slack.userId);
    const message = assignmentPing({ desk: this.options.desk, locale: member.locale }, claimForViewer(member, claim).claim, event.actor, permalink);
    await this.options.api.postMessage({ channel: dm, text: message.text, blocks: message.blocks });
  }
}
