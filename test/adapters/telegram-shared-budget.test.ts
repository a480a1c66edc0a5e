import { describe, expect, inject, it } from 'vitest';
import { runOutbound } from '../../bench/outbound.js';

/**
 * Three instances of the desk (startApp ×3 on one database, the same bot token, one fake Bot API)
 * sending a backlog of notifications queued through the product (claims registered and taken by
 * staff; one claim per chat also asked a question, so a chat's notices sit in claims that different
 * instances deliver). Every sendMessage is timed where it arrives, at the fake Bot API.
 */
describe('one Telegram budget shared by three instances', () => {
  it('a backlog of 300 over 120 chats: at most 30 in any second at the Bot API, a second apart per chat, none lost or doubled', async () => {
    const result = await runOutbound({ mongoUri: inject('mongoUri'), notifications: 300, chats: 120, reps: 1, instances: 3 });
    expect(result.settings).toMatchObject({ instances: 3, limitPerSecond: 30 });
    const [rep] = result.reps;
    if (!rep) throw new Error('no repetition');
    expect(rep).toMatchObject({ expected: 300, delivered: 300, lost: 0, duplicates: 0, timedOut: false });
    expect(rep.maxInAnySecond).toBeLessThanOrEqual(30);
    // one instance's share is 10 a second: more than that in a second means several sent side by side
    expect(rep.maxInAnySecond).toBeGreaterThan(10);
    expect(rep.minChatGapMs).toBeGreaterThanOrEqual(1000);
  }, 120_000);
});
