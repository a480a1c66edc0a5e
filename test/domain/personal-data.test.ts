import { beforeAll, describe, expect, it } from 'vitest';
import { claimForViewer, maskEmail, maskName, maskPhone, seesPersonalData } from '../../src/domain/personal-data.js';
import { staffById } from '../../src/domain/staff.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import type { Claim } from '../../src/domain/lifecycle.js';
import { exampleDesk } from '../support/fixtures.js';

const claimIn = (department: string): Claim =>
  ({
    id: 'c1',
    number: '2026-000001',
    department,
    contact: { name: 'Анна Петрова', phone: '+79123454567', email: 'anna.petrova@example.com' },
    attachments: [{ channel: 'web', kind: 'photo', fileId: 'f1', fileName: 'receipt.jpg' }],
    history: [
      { id: 'e1', type: 'registered', at: new Date(), actor: { kind: 'customer' } },
      { id: 'e2', type: 'customer_info', at: new Date(), actor: { kind: 'customer' }, note: 'more', attachments: [{ channel: 'web', kind: 'document', fileId: 'f2' }] },
    ],
  }) as unknown as Claim;

describe('masking personal data', () => {
  it('keeps the country code and the last four digits of a phone', () => {
    expect(maskPhone('+79123454567')).toBe('+7 ••• ••• 45-67');
    expect(maskPhone('+442071234567')).toBe('+44 ••• ••• 45-67');
  });

  it('keeps the first character and the domain of an e-mail, the first letter of a name', () => {
    expect(maskEmail('anna.petrova@example.com')).toBe('a•••@example.com');
    expect(maskName(' Анна Петрова')).toBe('А•••');
    expect(maskName('')).toBe('•••');
  });
});

describe('who sees a claim’s personal data (example desk)', () => {
  let desk: DeskConfig;
  const member = (id: string): StaffMember => {
    const found = staffById(desk, id);
    if (!found) throw new Error(id);
    return found;
  };
  beforeAll(async () => {
    desk = await exampleDesk();
  });

  // olga: operator in support; ivan: specialist in quality; maria: quality; sergey: head
  const MATRIX: readonly { readonly staff: string; readonly department: string; readonly sees: boolean }[] = [
    { staff: 'olga', department: 'support', sees: true },
    { staff: 'olga', department: 'logistics', sees: false },
    { staff: 'ivan', department: 'quality', sees: true },
    { staff: 'ivan', department: 'support', sees: false },
    { staff: 'maria', department: 'logistics', sees: true },
    { staff: 'sergey', department: 'logistics', sees: true },
  ];

  for (const row of MATRIX) {
    it(`${row.staff} ${row.sees ? 'sees' : 'does not see'} the personal data of a ${row.department} claim`, () => {
      const claim = claimIn(row.department);
      const shown = claimForViewer(member(row.staff), claim);
      expect(seesPersonalData(member(row.staff), claim)).toBe(row.sees);
      expect(shown.masked).toBe(!row.sees);
      if (row.sees) {
        expect(shown.claim).toBe(claim);
        expect(shown.hiddenFiles).toBe(0);
      } else {
        expect(shown.claim.contact).toEqual({ name: 'А•••', phone: '+7 ••• ••• 45-67', email: 'a•••@example.com' });
        expect(shown.claim.attachments).toEqual([]);
        expect(shown.claim.history.flatMap((event) => event.attachments ?? [])).toEqual([]);
        expect(shown.claim.history[1]?.note).toBe('more');
        expect(shown.hiddenFiles).toBe(2);
        expect(JSON.stringify(shown.claim)).not.toMatch(/Петрова|4567\b|anna\.petrova|receipt/);
      }
    });
  }

  it('masks for nobody known', () => {
    expect(claimForViewer(undefined, claimIn('support')).masked).toBe(true);
  });
});
