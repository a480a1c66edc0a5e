import { describe, expect, inject, it } from 'vitest';
import { runOutbound } from '../../bench/outbound.js';

/** The outbound benchmark at a tiny size: the report's shape, nothing lost, the chats' second kept — never the speed. */
describe('outbound benchmark (smoke run, tiny size)', () => {
  it('queues 60 notifications over 20 chats, delivers every one once, a second apart per chat', async () => {
    const result = await runOutbound({ mongoUri: inject('mongoUri'), notifications: 60, chats: 20, reps: 1 });
    expect(result.name).toBe('outbound');
    expect(result.settings).toMatchObject({ notifications: 60, chats: 20, reps: 1, limitPerSecond: 30 });
    const [rep] = result.reps;
    if (!rep) throw new Error('no repetition');
    // three a chat: one claim with two notifications and one with one, so 40 claims
    expect(rep.claims).toBe(40);
    expect(rep).toMatchObject({ expected: 60, delivered: 60, lost: 0, duplicates: 0, timedOut: false });
    expect(rep.minChatGapMs).toBeGreaterThanOrEqual(1000);
    expect(rep.maxInAnySecond).toBeLessThanOrEqual(30);
    expect(rep.ratePerSecond).toBeGreaterThan(0);
    expect(result.median.lost).toBe(0);
    expect(typeof result.target.met).toBe('boolean');
  }, 60_000);
});
