import { describe, expect, inject, it } from 'vitest';
import { formatReport, runBenchmarks } from '../../bench/run.js';

/** Each benchmark once with tiny sizes: the report's shape and sane values, never the speed targets. */
describe('benchmarks (smoke run, tiny sizes)', () => {
  it('runs intake, round-trips and notification latency and reports them', async () => {
    const report = await runBenchmarks(inject('mongoUri'), inject('mongoKind'), {
      customers: 3,
      reps: 1,
      warmupCustomers: 1,
      roundtripCustomers: 1,
      processEveryMs: 300,
      notifySamples: 1,
      only: ['intake', 'roundtrips', 'notify'],
    });
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.database.kind).toBe(inject('mongoKind'));

    const intake = report.intake;
    if (!intake) throw new Error('no intake result');
    expect(intake.reps).toHaveLength(1);
    expect(intake.median.ratio).toBe(intake.reps[0]?.ratio);
    for (const side of [intake.median.desk, intake.median.baseline]) {
      expect(side.updates).toBe(3 * intake.settings.updatesPerDialog);
      expect(side.completed).toBe(3);
      expect(side.updatesPerSecond).toBeGreaterThan(0);
      expect(side.p50Ms).toBeGreaterThan(0);
      expect(side.p99Ms).toBeGreaterThanOrEqual(side.p50Ms);
    }
    expect(Number.isFinite(intake.median.ratio) && intake.median.ratio > 0).toBe(true);
    // every dialog, warm-up included, registered its claim
    expect(intake.claimsRegistered).toBe(intake.dialogsRun);

    const roundtrips = report.roundtrips;
    if (!roundtrips) throw new Error('no round-trip result');
    expect(roundtrips.completed).toBe(1);
    expect(roundtrips.steps.map((s) => s.step)).toContain('submit');
    expect(Number.isFinite(roundtrips.average.roundTrips) && roundtrips.average.roundTrips > 0).toBe(true);
    expect(roundtrips.baseline.roundTrips).toBe(2);

    const notify = report.notify;
    if (!notify) throw new Error('no notification result');
    expect(notify.reps[0]?.samplesMs).toHaveLength(1);
    expect(notify.median.medianMs).toBeGreaterThan(0);

    expect(report.targets.map((t) => typeof t.met)).toEqual(['boolean', 'boolean', 'boolean']);
    expect(formatReport(report)).toContain('Targets:');
    // about 6 s alone; room for a loaded machine running the whole suite in parallel
  }, 60_000);
});
