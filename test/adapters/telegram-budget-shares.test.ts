import { describe, expect, it } from 'vitest';
import { INITIAL_SHARE_STATE, planBeat, shareToPublish, type BudgetMember, type ShareState } from '../../adapters/telegram/shared-budget.js';

const member = (id: string, seq: number, peers: string[], share: number): BudgetMember => ({ id, seq, peers, share });
const DEAD_AFTER = 6_000;

/** One heartbeat of `self` over these documents at `now`. */
const beat = (self: string, members: BudgetMember[], now: number, state: ShareState = INITIAL_SHARE_STATE, budget = 30) => planBeat({ self, budget, members, now, deadAfterMs: DEAD_AFTER, state });

describe('the shared Telegram budget: shares (pure)', () => {
  it('a lone instance is admitted at its first heartbeat with the whole budget', () => {
    const plan = beat('a', [member('a', 0, ['a'], 0)], 0);
    expect(plan.state).toMatchObject({ admitted: true, share: 30 });
    expect(plan.peers).toEqual(['a']);
  });

  it('live instances take equal shares, rounded down so they never add up above the budget', () => {
    const admitted: ShareState = { ...INITIAL_SHARE_STATE, admitted: true, share: 30 };
    const two = [member('a', 5, ['a', 'b'], 15), member('b', 5, ['a', 'b'], 15)];
    expect(beat('a', two, 0, admitted).state.share).toBe(15);
    const four = ['a', 'b', 'c', 'd'].map((id) => member(id, 1, ['a', 'b', 'c', 'd'], 7));
    expect(beat('a', four, 0, admitted).state.share).toBe(7); // 4 × 7 = 28 ≤ 30
    expect(beat('a', four, 0, admitted, 5).state.share).toBe(1);
  });

  it('a newcomer sends nothing until every other instance counts it and has drained to the smaller share', () => {
    const others = (peers: string[], share: number) => [member('a', 3, peers, share), member('b', 3, peers, share)];
    // the others have not seen the newcomer yet
    expect(beat('c', [...others(['a', 'b'], 15), member('c', 0, ['c'], 0)], 0).state).toMatchObject({ admitted: false, share: 0 });
    // they count it, but messages let go under their old share of 15 are still in their windows
    expect(beat('c', [...others(['a', 'b', 'c'], 15), member('c', 1, ['a', 'b', 'c'], 0)], 0).state).toMatchObject({ admitted: false, share: 0 });
    // one of them is done draining, the other not yet
    const mixed = [member('a', 4, ['a', 'b', 'c'], 10), member('b', 4, ['a', 'b', 'c'], 12), member('c', 2, ['a', 'b', 'c'], 0)];
    expect(beat('c', mixed, 0).state.admitted).toBe(false);
    // both counted it and drained: in, with a third
    const plan = beat('c', [...others(['a', 'b', 'c'], 10), member('c', 2, ['a', 'b', 'c'], 0)], 0);
    expect(plan.state).toMatchObject({ admitted: true, share: 10 });
    expect(plan.peers).toEqual(['a', 'b', 'c']);
  });

  it('small enough shares are not enough: a newcomer waits until it is counted, since an instance that has not seen it may be about to raise', () => {
    // a and b hold 10 each of three; x has just left, and c arrives: to a and b (not having read c yet) two are left
    const docs = [member('a', 6, ['a', 'b', 'x'], 10), member('b', 6, ['a', 'b', 'x'], 10), member('c', 0, ['c'], 0)];
    expect(beat('c', docs, 0).state).toMatchObject({ admitted: false, share: 0 });
    const aStale = beat('a', [member('a', 6, ['a', 'b', 'x'], 10), member('b', 6, ['a', 'b', 'x'], 10)], 0, { ...INITIAL_SHARE_STATE, admitted: true, share: 10 });
    expect(aStale.state.share).toBe(15); // what c would have run into: 15 + 15 + 10 > 30
  });

  it('an admitted instance lowers its share as soon as it counts a newcomer, and raises it when one is gone', () => {
    const state: ShareState = { ...INITIAL_SHARE_STATE, admitted: true, share: 15 };
    const withNewcomer = beat('a', [member('a', 9, ['a', 'b'], 15), member('b', 9, ['a', 'b'], 15), member('c', 0, ['c'], 0)], 0, state);
    expect(withNewcomer.state.share).toBe(10);
    expect(withNewcomer.peers).toEqual(['a', 'b', 'c']);
    const afterLeave = beat('a', [member('a', 10, ['a', 'b', 'c'], 10), member('c', 4, ['a', 'b', 'c'], 10)], 2_000, withNewcomer.state);
    expect(afterLeave.state.share).toBe(15);
  });

  it('a stale read never lets a newcomer in: an instance that raised on a read without it does not list it', () => {
    // a and b at 15; b leaves while c joins; a read before c's document was there and raised to 30
    const aRaised = beat('a', [member('a', 7, ['a', 'b'], 15)], 0, { ...INITIAL_SHARE_STATE, admitted: true, share: 15 });
    expect(aRaised.state.share).toBe(30);
    // c reads a's document as a wrote it (peers without c): c waits
    const cFirst = beat('c', [member('a', 8, aRaised.peers as string[], 30), member('c', 0, ['c'], 0)], 0);
    expect(cFirst.state.admitted).toBe(false);
    // a's next heartbeat counts c: its share drops to 15 at once, and it publishes 15 once drained
    const aNext = beat('a', [member('a', 8, ['a'], 30), member('c', 1, ['a', 'c'], 0)], 2_000, aRaised.state);
    expect(aNext.state.share).toBe(15);
    expect(beat('c', [member('a', 9, aNext.peers as string[], 30), member('c', 1, ['a', 'c'], 0)], 2_000, cFirst.state).state.admitted).toBe(false);
    expect(beat('c', [member('a', 10, aNext.peers as string[], 15), member('c', 2, ['a', 'c'], 0)], 4_000, cFirst.state).state).toMatchObject({ admitted: true, share: 15 });
  });

  it('an instance whose heartbeat stood still for deadAfterMs (on the observer\'s clock) is dead and no longer counted', () => {
    const admitted: ShareState = { ...INITIAL_SHARE_STATE, admitted: true, share: 15 };
    const docs = (bSeq: number) => [member('a', 1, ['a', 'b'], 15), member('b', bSeq, ['a', 'b'], 15)];
    let plan = beat('a', docs(4), 100_000, admitted); // first seen now, whatever its clock said
    expect(plan.dead).toEqual([]);
    plan = beat('a', docs(5), 102_000, plan.state); // it moved: alive
    plan = beat('a', docs(5), 107_999, plan.state);
    expect(plan.dead).toEqual([]);
    expect(plan.state.share).toBe(15);
    plan = beat('a', docs(5), 108_000, plan.state); // 6 s without a change
    expect(plan.dead).toEqual([{ id: 'b', seq: 5 }]);
    expect(plan.state.share).toBe(30);
    expect(plan.peers).toEqual(['a']);
  });

  it('a newcomer meeting the document of a crashed instance waits it out, then takes the whole budget', () => {
    const stale = member('old', 41, ['old'], 30);
    let plan = beat('new', [stale, member('new', 0, ['new'], 0)], 5_000);
    expect(plan.state.admitted).toBe(false);
    plan = beat('new', [stale, member('new', 1, ['new', 'old'], 0)], 9_000, plan.state);
    expect(plan.state.admitted).toBe(false);
    plan = beat('new', [stale, member('new', 2, ['new', 'old'], 0)], 11_000, plan.state);
    expect(plan.dead).toEqual([{ id: 'old', seq: 41 }]);
    expect(plan.state).toMatchObject({ admitted: true, share: 30 });
  });

  it('publishes its share, or more while bulk messages of a larger share still count in its window', () => {
    expect(shareToPublish(10, 4)).toBe(10);
    expect(shareToPublish(10, 15)).toBe(15);
    expect(shareToPublish(0, 0)).toBe(0);
  });
});
