import { beforeAll, describe, expect, it } from 'vitest';
import { exampleDesk } from '../support/fixtures.js';
import { claimFixture, hoursAfter } from '../support/claims.js';
import { actionNotice, alertRecipients, claimNotices } from '../../src/domain/staff-alerts.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import type { ClaimEvent } from '../../src/domain/lifecycle.js';

/** #25: who reads an alert in the console, and under which key. */

let desk: DeskConfig;
beforeAll(async () => {
  desk = await exampleDesk();
});

const event = (extra: Partial<ClaimEvent> & Pick<ClaimEvent, 'id' | 'type'>): ClaimEvent => ({ at: hoursAfter(1), actor: { kind: 'system', reason: 'sla' }, notifyCustomer: false, ...extra });

describe('alertRecipients', () => {
  it.each([
    [{ kind: 'department', departmentId: 'quality' }, ['ivan', 'maria', 'sergey']],
    [{ kind: 'department', departmentId: 'support' }, ['olga', 'maria', 'sergey']],
    [{ kind: 'department', departmentId: 'nowhere' }, []],
    [{ kind: 'staff', staffId: 'ivan' }, ['ivan']],
    [{ kind: 'staff', staffId: 'someone-gone' }, []],
  ] as const)('%j → %j', (to, expected) => {
    expect(alertRecipients(desk, to)).toEqual(expected);
  });
});

describe('claimNotices', () => {
  it('expands each alert to its readers, keyed by the alert and the reader, the same every time', () => {
    const registered = claimFixture();
    const assigned = event({ id: 'as-1', type: 'assigned', assigneeId: 'ivan', actor: { kind: 'staff', staffId: 'sergey' } });
    const breach = event({ id: 'br-1', type: 'sla_breach', slaDeadline: 'first_response' });
    const claim = claimFixture({ assigneeId: 'ivan', history: [...registered.history, assigned, breach] });
    const notices = claimNotices(claim, desk);
    expect(notices.map((notice) => [notice.kind, notice.staffId])).toEqual([
      ['new_claim', 'ivan'],
      ['new_claim', 'maria'],
      ['new_claim', 'sergey'],
      // the category's notify list names another department too: Maria and Sergey, in both, hear of it once
      ['assignment', 'ivan'],
      ['sla_breach', 'sergey'],
    ]);
    expect(notices.find((notice) => notice.kind === 'assignment')).toEqual({ key: 'as-1:ping@ivan', staffId: 'ivan', source: 'claim', kind: 'assignment', subjectId: claim.id, subjectNumber: claim.number, eventId: 'as-1', at: assigned.at });
    expect(new Set(notices.map((notice) => notice.key)).size).toBe(notices.length);
    expect(claimNotices(claim, desk)).toEqual(notices);
    // nothing personal: ids, kinds, numbers and times only
    expect(JSON.stringify(notices)).not.toMatch(/Anna|\+7912|kettle/i);
  });

  it('keys an action notice by its event and reader', () => {
    const at = hoursAfter(2);
    expect(actionNotice('olga', { id: 'a1', number: 'A-2026-0007' }, { id: 'e1', type: 'overdue', at })).toEqual({ key: 'action:e1@olga', staffId: 'olga', source: 'action', kind: 'overdue', subjectId: 'a1', subjectNumber: 'A-2026-0007', eventId: 'e1', at });
  });
});
