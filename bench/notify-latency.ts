/**
 * Benchmark 3: notification latency. Claims registered through the intake, then staff take them one
 * by one (`app.staff.act(..., { action: 'take' })`); the time from just before the call until the
 * customer's message reaches the Bot API, beside Agenda's processEvery.
 */
import { randomBytes } from 'node:crypto';
import { benchUser, CLAIM_NUMBER, INTAKE, median, post, quantile, round, sleep, startDesk, stepUpdate } from './common.js';

export interface NotifyOptions {
  readonly mongoUri: string;
  /** Agenda's processEvery for the run, ms. */
  readonly processEveryMs: number;
  /** Status changes timed per repetition (one more per repetition is a discarded warm-up). */
  readonly samples: number;
  readonly reps: number;
}

export interface NotifyRep {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly samplesMs: number[];
}

export interface NotifyResult {
  readonly name: 'notify-latency';
  readonly settings: { processEveryMs: number; samples: number; reps: number; measured: string };
  readonly reps: NotifyRep[];
  readonly median: { medianMs: number; p95Ms: number; ratioToProcessEvery: number };
  readonly target: { medianAtMostMs: number; met: boolean };
}

export async function runNotifyLatency(options: NotifyOptions): Promise<NotifyResult> {
  const database = `bench_notify_${randomBytes(4).toString('hex')}`;
  const desk = await startDesk(options.mongoUri, database, { jobsEveryMs: options.processEveryMs });
  try {
    // the claims, registered through the intake as customers do
    const count = options.reps * (options.samples + 1);
    const claims = await Promise.all(
      Array.from({ length: count }, async () => {
        const user = benchUser();
        let last = '';
        for (const step of INTAKE) {
          const update = stepUpdate(desk.tg, user, step);
          const answered = desk.tg.next(user.id, (m) => step.answer(m.text));
          await post(desk.tg, update, desk.webhookUrl);
          last = (await answered).text;
        }
        const number = CLAIM_NUMBER.exec(last)?.[1];
        const claim = number === undefined ? undefined : await desk.app.claims.findByNumber(number);
        if (!claim) throw new Error(`bench: intake ended without a claim: ${JSON.stringify(last)}`);
        return { user, claim };
      }),
    );
    await desk.app.idle();
    const reps: NotifyRep[] = [];
    let next = 0;
    for (let rep = 0; rep < options.reps; rep++) {
      const samples: number[] = [];
      for (let i = 0; i <= options.samples; i++) {
        const item = claims[next++];
        if (!item) throw new Error('bench: ran out of claims');
        // start at a random phase of Agenda's polling cycle
        await sleep(Math.random() * options.processEveryMs);
        const number = item.claim.number;
        const told = desk.tg.next(item.user.id, (m) => m.text.includes(number), options.processEveryMs * 4 + 10_000);
        const started = performance.now();
        const result = await desk.app.staff.act({ staffId: 'ivan' }, item.claim.id, { action: 'take' });
        if (!result.ok) throw new Error(`bench: staff could not take ${number}: ${result.reason}`);
        const message = await told;
        if (i > 0) samples.push(round(message.at - started, 2)); // the first is the warm-up
      }
      reps.push({ medianMs: median(samples), p95Ms: quantile(samples, 0.95), samplesMs: samples });
    }
    const medianMs = median(reps.map((r) => r.medianMs));
    const limit = options.processEveryMs * 0.1;
    return {
      name: 'notify-latency',
      settings: {
        processEveryMs: options.processEveryMs,
        samples: options.samples,
        reps: options.reps,
        measured: 'from just before app.staff.act(take) until the customer\'s notice reached the Bot API; changes one at a time, at a random phase of the polling cycle',
      },
      reps,
      median: { medianMs, p95Ms: median(reps.map((r) => r.p95Ms)), ratioToProcessEvery: round(medianMs / options.processEveryMs, 4) },
      target: { medianAtMostMs: limit, met: medianMs <= limit },
    };
  } finally {
    await desk.app.db.dropDatabase().catch(() => undefined);
    await desk.stop();
  }
}
