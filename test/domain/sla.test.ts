import { describe, expect, it } from 'vitest';
import { slaDue, warningAt } from '../../src/domain/sla.js';
import { DeskConfig } from '../../src/domain/desk.js';

const desk = DeskConfig.parse({
  desk: { name: { ru: 'Д', en: 'D' } },
  departments: [{ id: 'support', name: { ru: 'П', en: 'S' } }],
  categories: [
    { id: 'defect', label: { ru: 'Б', en: 'D' }, department: 'support' },
    { id: 'delivery', label: { ru: 'Д', en: 'D' }, department: 'support' },
  ],
  sla: {
    categories: { delivery: { resolutionHours: 72 } },
    severities: { critical: { firstResponseHours: 2, resolutionHours: 48 } },
  },
});
const received = new Date('2026-03-02T10:00:00Z');
const hoursAfter = (h: number) => new Date(received.getTime() + h * 3_600_000);

describe('SLA policy', () => {
  it('defaults to a 24 h first response and a 10-day resolution', () => {
    const due = slaDue(desk, 'defect', 'normal', received);
    expect(due.firstResponseDueAt).toEqual(hoursAfter(24));
    expect(due.resolutionDueAt).toEqual(hoursAfter(240));
  });

  it('uses the category target where one is set', () => {
    expect(slaDue(desk, 'delivery', 'normal', received).resolutionDueAt).toEqual(hoursAfter(72));
  });

  it('lets a severity target cap the category target', () => {
    const due = slaDue(desk, 'delivery', 'critical', received);
    expect(due.firstResponseDueAt).toEqual(hoursAfter(2));
    expect(due.resolutionDueAt).toEqual(hoursAfter(48));
  });

  it('places the warning at the configured share of the window', () => {
    expect(warningAt(received, hoursAfter(24), 0.75)).toEqual(hoursAfter(18));
  });
});
