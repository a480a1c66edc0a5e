import { describe, expect, inject, it } from 'vitest';
import { buildClaimDocument, claimPlan, customerOf, formatScale, runRegistryScale, scaleCustomers, scaleTargets, staffIdOf, SCALE_STAFF } from '../../bench/registry-scale.js';
import { exampleDesk } from '../support/fixtures.js';
import { toClaim } from '../../src/store/claims.js';
import { CLAIM_STATUSES, OPEN_STATUSES } from '../../src/domain/lifecycle.js';

const TOTAL = 1000;

describe('registry scale benchmark: the synthetic claims', () => {
  it('are valid claims in time order, numbered per year, in every status, the new ones unassigned', async () => {
    const desk = await exampleDesk();
    const seq = new Map<number, number>();
    const next = (year: number) => {
      const value = (seq.get(year) ?? 0) + 1;
      seq.set(year, value);
      return value;
    };
    const statuses = new Set<string>();
    let previous = 0;
    for (let i = 0; i < TOTAL; i++) {
      const plan = claimPlan(i, TOTAL);
      const doc = buildClaimDocument(plan, next, desk);
      const claim = toClaim(doc);
      expect(claim.status).toBe(plan.status);
      expect(claim.assigneeId).toBe(plan.assignee);
      expect(claim.customer).toEqual(customerOf(plan.customer));
      expect(claim.createdAt.getTime()).toBeGreaterThanOrEqual(previous);
      expect(claim.history[0]?.type).toBe('registered');
      expect(claim.version).toBe(claim.history.filter((event) => event.type === 'status_changed').length + 1);
      expect(doc.number).toBe(`${doc.year}-${String(doc.seq).padStart(6, '0')}`);
      if (plan.status === 'new') expect(plan.assignee).toBeUndefined();
      previous = claim.createdAt.getTime();
      statuses.add(claim.status);
    }
    expect([...statuses].sort()).toEqual([...CLAIM_STATUSES].sort());
    expect(claimPlan(17, TOTAL)).toEqual(claimPlan(17, TOTAL)); // deterministic
  });
});

describe('registry scale benchmark (smoke run, tiny size)', () => {
  it('loads the claims and reports each query: returned as the data says, timings and the report', async () => {
    const result = await runRegistryScale({ mongoUri: inject('mongoUri'), claims: TOTAL, reps: 1, samples: 1 });
    expect(result.load.claims).toBe(TOTAL);
    expect(result.collection.count).toBe(TOTAL);
    expect(result.load.perSecond).toBeGreaterThan(0);
    expect(result.settings).toMatchObject({ customers: scaleCustomers(TOTAL).customers, staff: SCALE_STAFF });
    expect(result.queries.map((q) => q.name)).toEqual(['/status, customer with most claims', '/status, typical customer', 'staff "mine" (Slack)', 'console list, assignee+open']);

    // what matches each subject, counted from the generator (not from the database)
    const plans = Array.from({ length: TOTAL }, (_, i) => claimPlan(i, TOTAL));
    const matchingOf = (subject: { kind: 'customer' | 'staff'; index: number }) =>
      subject.kind === 'customer'
        ? plans.filter((plan) => plan.customer === subject.index).length
        : plans.filter((plan) => plan.assignee === staffIdOf(subject.index) && OPEN_STATUSES.includes(plan.status)).length;
    for (const q of result.queries) {
      expect(q.matching).toBe(matchingOf(q.subject));
      expect(q.matching).toBeGreaterThan(0);
      expect(q.returned).toBe(Math.min(q.limit, q.matching));
      expect(q.commands[0]).toBe('find');
      expect(JSON.parse(q.shape)).toMatchObject({ sort: { createdAt: -1, _id: -1 }, limit: q.limit });
      for (const side of [q.product, q.bare]) {
        expect(side.calls).toBe(1);
        expect(side.p50Ms).toBeGreaterThan(0);
        expect(side.p95Ms).toBeGreaterThanOrEqual(side.p50Ms);
      }
      expect(Number.isFinite(q.ratio) && q.ratio > 0).toBe(true);
      if (q.explain.available) {
        // a real mongod: the indexes must keep what is read near what is returned
        expect(q.explain.returned).toBe(q.returned);
        expect(q.explain.docsExamined).toBeLessThanOrEqual(2 * q.returned + q.limit);
      } else {
        expect(inject('mongoKind')).toBe('mongo-java-server');
        expect(q.explain.reason).toMatch(/explain/);
      }
    }
    const [heavy, typical] = result.queries;
    expect(heavy?.matching).toBeGreaterThan(typical?.matching ?? Infinity);
    expect(result.queries[3]?.commands).toEqual(['find', 'aggregate']); // the console's list counts the total too

    // the console at scale: its first page of the whole register with the total, and a month's report
    const { firstPage, monthReport, targets } = result.console;
    expect(firstPage.total).toBe(TOTAL);
    expect(firstPage.commands).toEqual(['find', 'aggregate']);
    expect(monthReport.month).toBe('2026-10');
    expect(monthReport.commands.length).toBeGreaterThanOrEqual(4);
    for (const timing of [firstPage, monthReport]) {
      expect(timing.calls).toBeGreaterThanOrEqual(3);
      expect(timing.p95Ms).toBeGreaterThanOrEqual(timing.p50Ms);
    }
    expect(targets).toMatchObject({ firstPageAtMostMs: 1000, monthReportAtMostMs: 3000 });

    expect(scaleTargets(result).map((t) => t.name)).toEqual([
      'console at scale: first page + total',
      "console at scale: a month's report",
      'registry scale: time',
      'registry scale: examined',
    ]);
    expect(formatScale(result)[0]).toContain(`5. Scale of the registry: ${TOTAL} claims loaded`);
    expect(formatScale(result).join('\n')).toContain(`console, report of 2026-10 (${monthReport.claims} claims)`);
  }, 120_000);
});
