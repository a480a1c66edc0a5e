import type { Agenda } from 'agenda';

/** The work of a sweep over claims: which are due, and one claim's step. */
export interface ClaimSweepWork {
  /** Ids of the claims due at `now`, at most `limit`. */
  list(now: Date, limit: number): Promise<string[]>;
  /** One claim's step; a throw is reported and the sweep goes on with the next claim. */
  step(claimId: string): Promise<unknown>;
  /** After a failed step (e.g. put the claim back for later). */
  failed?(claimId: string, now: Date): Promise<void>;
}

export interface ClaimSweepOptions {
  /** How often the sweep runs (default every minute). */
  readonly every?: string | number;
  /** Failures, by claim id (log ids and codes only). */
  readonly onError?: (claimId: string, error: unknown) => void;
  readonly now?: () => Date;
}

/**
 * Defines a sweep job over claims and schedules it to repeat: each run takes the due claims in
 * batches (another batch while a full one came back, up to `maxRounds`) and steps each one. The
 * job carries no data; steps must be idempotent (at-least-once), and a failing claim never stops
 * the others. The SLA, survey and staff sync sweeps are all this.
 * @example await scheduleClaimSweep(agenda, 'sla.sweep', { list: claims.listSlaDue, step: claims.runSlaChecks }, { batch: 100 });
 */
export async function scheduleClaimSweep(
  agenda: Agenda,
  name: string,
  work: ClaimSweepWork,
  options: ClaimSweepOptions & { readonly batch: number; readonly maxRounds?: number },
): Promise<void> {
  const now = options.now ?? (() => new Date());
  agenda.define(name, async () => {
    for (let round = 0; round < (options.maxRounds ?? 100); round++) {
      const ids = await work.list(now(), options.batch);
      for (const id of ids) {
        try {
          await work.step(id);
        } catch (error) {
          options.onError?.(id, error);
          await work.failed?.(id, now());
        }
      }
      if (ids.length < options.batch) return;
    }
  });
  await agenda.every(options.every ?? '1 minute', name);
}
