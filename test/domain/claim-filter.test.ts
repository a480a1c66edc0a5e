import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClaimFilter,
  formatZonedIso,
  isOverdue,
  nextDay,
  parseClaimFilter,
  parseListParams,
  periodBounds,
  zonedDay,
  zonedDayStart,
  zoneOffsetMs,
} from '../../src/domain/claim-filter.js';
import type { DeskConfig } from '../../src/domain/desk.js';
import { exampleDesk } from '../support/fixtures.js';

let desk: DeskConfig;
beforeAll(async () => {
  desk = await exampleDesk();
});

/** The errors of a refused filter (fails the test when it was accepted). */
function errorsOf(params: Record<string, string>): readonly string[] {
  const result = parseClaimFilter(params, desk);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.filter)}`);
  return result.errors;
}

function filterOf(params: Record<string, string>): ClaimFilter {
  const result = parseClaimFilter(params, desk);
  if (!result.ok) throw new Error(`expected a filter, got ${result.errors.join('; ')}`);
  return result.filter;
}

describe('parsing the claims filter', () => {
  it('accepts every parameter and normalises it', () => {
    expect(
      filterOf({ status: 'in_review', category: 'defect', department: 'quality', assignee: 'ivan', overdue: 'true', channel: 'slack', from: '2026-03-01', to: '2026-03-31', q: '2026-000123', product: 'Kettle KT-200' }),
    ).toEqual({ status: ['in_review'], category: 'defect', department: 'quality', assignee: 'ivan', overdue: true, channel: 'slack', from: '2026-03-01', to: '2026-03-31', q: { number: '2026-000123' }, product: 'Kettle KT-200' });
  });

  it('an empty filter is every claim; empty values count as absent (a form sends "any" as empty)', () => {
    expect(filterOf({})).toEqual({});
    expect(filterOf({ status: '', category: ' ', q: '' })).toEqual({});
  });

  it('status: one, a comma list (deduplicated, in lifecycle order), or "open"', () => {
    expect(filterOf({ status: 'resolved,new,new' }).status).toEqual(['new', 'resolved']);
    expect(filterOf({ status: 'open' }).status).toEqual(['new', 'in_review', 'investigating', 'awaiting_customer']);
    expect(filterOf({ status: 'open, closed' }).status).toEqual(['new', 'in_review', 'investigating', 'awaiting_customer', 'closed']);
  });

  it('assignee "none" means nobody is assigned', () => {
    expect(filterOf({ assignee: 'none' }).assignee).toBeNull();
  });

  it('overdue=false is accepted (claims not overdue)', () => {
    expect(filterOf({ overdue: 'false' }).overdue).toBe(false);
  });

  it('q: a whole number (also without leading zeros) or the sequence alone', () => {
    expect(filterOf({ q: '2026-000123' }).q).toEqual({ number: '2026-000123' });
    expect(filterOf({ q: '2026-123' }).q).toEqual({ number: '2026-000123' });
    expect(filterOf({ q: '№ 2026/123' }).q).toEqual({ number: '2026-000123' });
    expect(filterOf({ q: ' 123 ' }).q).toEqual({ sequence: 123 });
    expect(filterOf({ q: '000042' }).q).toEqual({ sequence: 42 });
  });

  it('refuses unknown parameters, naming each', () => {
    expect(errorsOf({ stauts: 'new' })).toEqual([expect.stringMatching(/^unknown parameter "stauts"; expected some of status, category, .*product$/)]);
    const errors = errorsOf({ status: 'new', sort: 'createdAt', $where: '1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('unknown parameters');
    expect(errors[0]).toContain('"sort"');
    expect(errors[0]).toContain('"$where"');
  });

  it('refuses bad values, each error naming the field and what was expected', () => {
    const errors = errorsOf({ status: 'done', category: 'Defect!', channel: 'fax', overdue: 'yes', from: '2026-02-30', q: 'kettle' });
    expect(errors).toEqual([
      expect.stringMatching(/^status: expected "open" or statuses from new, in_review, .* got "done"$/),
      expect.stringMatching(/^category: expected an id/),
      expect.stringMatching(/^overdue: expected true or false$/),
      expect.stringMatching(/^channel: expected one of telegram, slack, web, phone, email, letter, in_person$/),
      expect.stringMatching(/^from: expected a date as YYYY-MM-DD$/),
      expect.stringMatching(/^q: expected a claim number such as 2026-000123, or its sequence such as 123, got "kettle"$/),
    ]);
  });

  it('refuses dates outside 2000–2099', () => {
    expect(errorsOf({ from: 'abc' })).toEqual(['from: expected a date as YYYY-MM-DD']);
    expect(errorsOf({ from: '1970-01-01', to: '9999-12-31' })).toEqual(['from: expected a date from 2000-01-01 to 2099-12-31', 'to: expected a date from 2000-01-01 to 2099-12-31']);
  });

  it('refuses a period that ends before it starts', () => {
    expect(errorsOf({ from: '2026-03-10', to: '2026-03-09' })).toEqual(['to: expected a date on or after from (2026-03-10)']);
    expect(filterOf({ from: '2026-03-10', to: '2026-03-10' })).toEqual({ from: '2026-03-10', to: '2026-03-10' });
  });

  it('refuses operator-looking and pattern input instead of passing it on', () => {
    expect(errorsOf({ status: '$ne' })[0]).toMatch(/^status: /);
    expect(errorsOf({ status: 'new,$ne' })[0]).toMatch(/^status: .*got "\$ne"$/);
    expect(errorsOf({ q: '.*' })[0]).toMatch(/^q: /);
    expect(errorsOf({ q: '^2026' })[0]).toMatch(/^q: /);
    expect(errorsOf({ q: '{"$gt": ""}' })[0]).toMatch(/^q: /);
    expect(errorsOf({ department: '$gt' })[0]).toMatch(/^department: expected an id/);
    expect(errorsOf({ assignee: '{"$ne":null}' })[0]).toMatch(/^assignee: expected an id/);
  });

  it('takes a product literally, whatever characters it has', () => {
    expect(filterOf({ product: '.* $ne' }).product).toBe('.* $ne');
    expect(errorsOf({ product: 'x'.repeat(201) })[0]).toMatch(/^product: expected a product name of at most 200 characters$/);
  });

  it('checks category, department and assignee against the desk configuration', () => {
    expect(errorsOf({ category: 'warranty', department: 'sales', assignee: 'boris' })).toEqual([
      'category: expected one of defect, delivery, refund, service, other, got "warranty"',
      'department: expected one of support, quality, logistics, got "sales"',
      'assignee: expected "none" or one of olga, ivan, maria, sergey, got "boris"',
    ]);
    // without a desk only the pattern is checked
    expect(parseClaimFilter({ category: 'warranty' })).toEqual({ ok: true, filter: { category: 'warranty' } });
  });

  it('the schema itself refuses non-string values', () => {
    expect(ClaimFilter.safeParse({ status: { $ne: 'x' } }).success).toBe(false);
    expect(ClaimFilter.safeParse({ q: ['1', '2'] }).success).toBe(false);
  });

  it('cuts user input echoed in an error at 40 characters', () => {
    const [error] = errorsOf({ q: 'a'.repeat(500) });
    expect(error?.length).toBeLessThan(150);
  });
});

describe('parsing the list parameters', () => {
  it('splits paging from the filter, with defaults', () => {
    expect(parseListParams({ status: 'new' }, desk)).toEqual({ ok: true, filter: { filter: { status: ['new'] }, paging: { page: 1, limit: 50 } } });
    expect(parseListParams({ page: '3', limit: '100', channel: 'web' }, desk)).toEqual({ ok: true, filter: { filter: { channel: 'web' }, paging: { page: 3, limit: 100 } } });
  });

  it('refuses bad paging and a bad filter together, each naming its field', () => {
    const result = parseListParams({ page: '0', limit: '500', status: 'nope' }, desk);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.stringMatching(/^status: /), 'page: expected a page number from 1', 'limit: expected a number of claims from 1 to 100']);
    expect(parseListParams({ limit: '2.5' }, desk)).toEqual({ ok: false, errors: ['limit: expected a number of claims from 1 to 100'] });
    expect(parseListParams({ page: 'abc' }, desk)).toEqual({ ok: false, errors: ['page: expected a page number from 1'] });
  });
});

describe('overdue', () => {
  const created = new Date('2026-03-01T10:00:00Z');
  const sla = { firstResponseDueAt: new Date('2026-03-02T10:00:00Z'), resolutionDueAt: new Date('2026-03-11T10:00:00Z'), firstResponseHours: 24, resolutionHours: 240 };
  const at = (iso: string) => new Date(iso);

  it('a new claim is overdue once its first response is late', () => {
    expect(isOverdue({ status: 'new', sla }, at('2026-03-02T10:00:00Z'))).toBe(false); // exactly at the due time: not yet
    expect(isOverdue({ status: 'new', sla }, at('2026-03-02T10:00:01Z'))).toBe(true);
  });

  it('an answered claim is overdue only past its resolution due time', () => {
    const answered = { status: 'in_review' as const, sla, firstResponseAt: new Date(created.getTime() + 3_600_000) };
    expect(isOverdue(answered, at('2026-03-05T00:00:00Z'))).toBe(false);
    expect(isOverdue(answered, at('2026-03-11T10:00:01Z'))).toBe(true);
    expect(isOverdue({ ...answered, status: 'awaiting_customer' }, at('2026-03-12T00:00:00Z'))).toBe(true);
  });

  it('resolved and closed claims are never overdue', () => {
    expect(isOverdue({ status: 'resolved', sla }, at('2026-04-01T00:00:00Z'))).toBe(false);
    expect(isOverdue({ status: 'closed', sla }, at('2026-04-01T00:00:00Z'))).toBe(false);
  });
});

describe('dates in the desk time zone', () => {
  it('a claim at 23:30 UTC is registered on the next day in Moscow', () => {
    expect(zonedDay(new Date('2026-03-01T23:30:00Z'), 'Europe/Moscow')).toBe('2026-03-02');
    expect(zonedDay(new Date('2026-03-01T23:30:00Z'), 'UTC')).toBe('2026-03-01');
    expect(zonedDay(new Date('2026-03-02T04:30:00Z'), 'America/New_York')).toBe('2026-03-01');
  });

  it('finds the start of a day, across clock changes', () => {
    expect(zonedDayStart('2026-03-02', 'Europe/Moscow').toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(zonedDayStart('2026-03-02', 'UTC').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    // Berlin: summer time starts at 02:00 on 29 March 2026 and ends at 03:00 on 25 October 2026
    expect(zonedDayStart('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(zonedDayStart('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(zonedDayStart('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(zonedDayStart('2026-10-26', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    // Santiago skips midnight on 6 September 2026: the day starts at 01:00 local (UTC-3)
    expect(zonedDayStart('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(zonedDayStart('2026-01-15', 'Asia/Kolkata').toISOString()).toBe('2026-01-14T18:30:00.000Z');
  });

  it('knows the offset and the next calendar day', () => {
    expect(zoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
    expect(zoneOffsetMs(new Date('2026-01-01T00:00:00Z'), 'Europe/Berlin')).toBe(3_600_000);
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });

  it('turns a period into instants: from inclusive, to inclusive as "before the next day"', () => {
    expect(periodBounds({ from: '2026-03-01', to: '2026-03-31' }, 'Europe/Moscow')).toEqual({ since: new Date('2026-02-28T21:00:00Z'), until: new Date('2026-03-31T21:00:00Z') });
    expect(periodBounds({ to: '2026-03-28' }, 'Europe/Berlin')).toEqual({ until: new Date('2026-03-28T23:00:00Z') });
    expect(periodBounds({}, 'UTC')).toEqual({});
  });

  it('formats an instant as ISO 8601 with the zone offset', () => {
    expect(formatZonedIso(new Date('2026-03-01T23:30:00Z'), 'Europe/Moscow')).toBe('2026-03-02T02:30:00+03:00');
    expect(formatZonedIso(new Date('2026-07-01T12:00:00.900Z'), 'Europe/Berlin')).toBe('2026-07-01T14:00:00+02:00');
    expect(formatZonedIso(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31T22:00:00-05:00');
    expect(formatZonedIso(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-01-01T05:30:00+05:30');
    expect(formatZonedIso(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00+00:00');
  });
});
