import type { CorrectiveAction } from './capa.js';
import { z } from 'zod';
import { Day, periodBounds, type FilterParse } from './claim-filter.js';
import type { DeskConfig } from './desk.js';
import { productGroup } from './products.js';

/**
 * CAPA effectiveness (#24, DOMAIN.md "Analysis"): did the claims stop after a corrective action?
 * For each verified corrective action, the claims for the same product (or the same category,
 * when the action's claim named no product) are counted in the N days before the action was
 * opened and in the N days after it was verified — of the "after" window only the whole days
 * that have passed by now. Each count is turned into a rate per 30 days; an action whose rate did
 * not fall is listed. Pure: the store reads the claims once and feeds each to {@link EffectivenessTally}.
 */

const DAY_MS = 86_400_000;
/** Rates are given as claims per this many days (a month). */
export const RATE_DAYS = 30;

/** What the claims are compared by: the action's product group, or its category when it has none. */
export type EffectivenessScope = { readonly kind: 'product'; readonly product: string } | { readonly kind: 'category'; readonly category: string };

/** A time window [from, to) and its length in whole days. */
export interface Window {
  readonly from: Date;
  readonly to: Date;
  readonly days: number;
}

/** One action's windows, before they are counted. */
export interface EffectivenessWindow {
  readonly actionId: string;
  readonly number: string;
  readonly description: string;
  readonly department: string;
  readonly openedAt: Date;
  readonly verifiedAt: Date;
  readonly scope: EffectivenessScope;
  /** The N days before the action was opened. */
  readonly before: Window;
  /** The whole days since verification, at most N; `days` 0 when not one day has passed yet. */
  readonly after: Window;
}

/**
 * The windows of the verified corrective actions (other actions are left out, and so is one
 * whose claim had neither a product nor a category).
 * @example effectivenessWindows([action], desk, 90, now)[0].before // { from: opened − 90 d, to: opened, days: 90 }
 */
export function effectivenessWindows(actions: readonly CorrectiveAction[], desk: Pick<DeskConfig, 'products'>, days: number, now: Date): EffectivenessWindow[] {
  return actions.flatMap((action) => {
    if (action.kind !== 'corrective' || action.status !== 'verified' || action.verifiedAt === undefined) return [];
    const product = productGroup(desk, action.productKey);
    const scope: EffectivenessScope | undefined = product !== undefined ? { kind: 'product', product } : action.category !== undefined ? { kind: 'category', category: action.category } : undefined;
    if (!scope) return [];
    const opened = action.createdAt.getTime();
    const verified = action.verifiedAt.getTime();
    const afterDays = Math.max(0, Math.min(days, Math.floor((now.getTime() - verified) / DAY_MS)));
    return [
      {
        actionId: action.id,
        number: action.number,
        description: action.description,
        department: action.department,
        openedAt: action.createdAt,
        verifiedAt: action.verifiedAt,
        scope,
        before: { from: new Date(opened - days * DAY_MS), to: action.createdAt, days },
        after: { from: action.verifiedAt, to: new Date(verified + afterDays * DAY_MS), days: afterDays },
      },
    ];
  });
}

/** What of a claim the tally needs. */
export interface ClaimMark {
  readonly createdAt: Date;
  readonly category: string;
  /** The product as the customer named it. */
  readonly product?: string;
}

/**
 * Counts the claims in each action's windows, one claim at a time (the store's single pass over
 * the claims of {@link tallyRange}).
 * @example const tally = new EffectivenessTally(windows, desk); for (const claim of claims) tally.add(claim); tally.counts()
 */
export class EffectivenessTally {
  private readonly byScope = new Map<string, { readonly window: EffectivenessWindow; before: number; after: number }[]>();
  private readonly spellings = new Map<string, Map<string, number>>();

  constructor(
    windows: readonly EffectivenessWindow[],
    private readonly desk: Pick<DeskConfig, 'products'>,
  ) {
    for (const window of windows) {
      const key = scopeKey(window.scope);
      const list = this.byScope.get(key) ?? [];
      list.push({ window, before: 0, after: 0 });
      this.byScope.set(key, list);
    }
  }

  /** Counts one claim in every window of its product and of its category that holds its time. */
  add(claim: ClaimMark): void {
    const at = claim.createdAt.getTime();
    const product = productGroup(this.desk, claim.product);
    const keys = [scopeKey({ kind: 'category', category: claim.category }), ...(product !== undefined ? [scopeKey({ kind: 'product', product })] : [])];
    if (product !== undefined && claim.product !== undefined && this.byScope.has(scopeKey({ kind: 'product', product }))) {
      const names = this.spellings.get(product) ?? new Map<string, number>();
      names.set(claim.product, (names.get(claim.product) ?? 0) + 1);
      this.spellings.set(product, names);
    }
    for (const key of keys) {
      for (const entry of this.byScope.get(key) ?? []) {
        if (within(at, entry.window.before)) entry.before++;
        if (within(at, entry.window.after)) entry.after++;
      }
    }
  }

  /** The spelling most of the counted claims of a product group use (ties: the first in order), if any was counted. */
  nameOf(product: string): string | undefined {
    return [...(this.spellings.get(product) ?? [])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  }

  /** The counts so far, per action id. */
  counts(): Map<string, { readonly before: number; readonly after: number }> {
    const counts = new Map<string, { before: number; after: number }>();
    for (const list of this.byScope.values()) for (const entry of list) counts.set(entry.window.actionId, { before: entry.before, after: entry.after });
    return counts;
  }
}

function scopeKey(scope: EffectivenessScope): string {
  return scope.kind === 'product' ? `p\u0000${scope.product}` : `c\u0000${scope.category}`;
}

function within(at: number, window: Window): boolean {
  return window.days > 0 && at >= window.from.getTime() && at < window.to.getTime();
}

/**
 * The time range whose claims the tally needs: from the earliest window's start to the latest's
 * end, and the categories (every category when some action is compared by product); undefined
 * when there is nothing to count.
 */
export function tallyRange(windows: readonly EffectivenessWindow[]): { readonly from: Date; readonly to: Date; readonly categories?: readonly string[] } | undefined {
  if (windows.length === 0) return undefined;
  const from = Math.min(...windows.map((window) => window.before.from.getTime()));
  const to = Math.max(...windows.map((window) => Math.max(window.before.to.getTime(), window.after.to.getTime())));
  const byProduct = windows.some((window) => window.scope.kind === 'product');
  const categories = [...new Set(windows.flatMap((window) => (window.scope.kind === 'category' ? [window.scope.category] : [])))];
  return { from: new Date(from), to: new Date(to), ...(byProduct ? {} : { categories }) };
}

/**
 * What the counts say: `too_early` — not one whole day since verification; `no_claims` — none
 * before and none after; `fell` — the rate after is lower; `not_fallen` — it is not (listed).
 */
export type EffectivenessOutcome = 'too_early' | 'no_claims' | 'fell' | 'not_fallen';

/** One verified corrective action in the report. */
export interface EffectivenessRow {
  readonly actionId: string;
  readonly number: string;
  readonly description: string;
  readonly department: string;
  readonly scope: EffectivenessScope;
  /** For a product: the catalogue's id or the spelling most of its claims use (for people; the scope is the key). */
  readonly productName?: string;
  readonly openedAt: Date;
  readonly verifiedAt: Date;
  readonly before: { readonly claims: number; readonly days: number; readonly rate: number };
  /** `rate` null while not one day has passed since verification. */
  readonly after: { readonly claims: number; readonly days: number; readonly rate: number | null };
  readonly outcome: EffectivenessOutcome;
}

/** The CAPA effectiveness report. */
export interface EffectivenessReport {
  /** N: the days of each window. */
  readonly days: number;
  /** Rates are claims per this many days. */
  readonly rateDays: number;
  readonly asOf: Date;
  /** Every verified corrective action measured, the latest verified first. */
  readonly actions: readonly EffectivenessRow[];
  /** The actions whose rate did not fall (outcome `not_fallen`), the largest rise first. */
  readonly notFallen: readonly EffectivenessRow[];
}

/**
 * A rate: claims per {@link RATE_DAYS} days over a window of `days` whole days.
 * @example claimRate(6, 90) // 2
 */
export function claimRate(claims: number, days: number): number {
  return days > 0 ? (claims * RATE_DAYS) / days : 0;
}

/**
 * The report from the windows and their counts (a window without counts counts zero).
 * @example effectivenessReport(windows, tally.counts(), 90, now).notFallen
 */
export function effectivenessReport(
  windows: readonly EffectivenessWindow[],
  counts: ReadonlyMap<string, { readonly before: number; readonly after: number }>,
  days: number,
  asOf: Date,
  productName: (product: string) => string | undefined = () => undefined,
): EffectivenessReport {
  const rows = windows.map((window): EffectivenessRow => {
    const count = counts.get(window.actionId) ?? { before: 0, after: 0 };
    const beforeRate = claimRate(count.before, window.before.days);
    const afterRate = window.after.days > 0 ? claimRate(count.after, window.after.days) : null;
    const outcome: EffectivenessOutcome =
      afterRate === null ? 'too_early' : count.before === 0 && count.after === 0 ? 'no_claims' : afterRate < beforeRate ? 'fell' : 'not_fallen';
    return {
      actionId: window.actionId,
      number: window.number,
      description: window.description,
      department: window.department,
      scope: window.scope,
      ...(window.scope.kind === 'product' ? { productName: productName(window.scope.product) ?? window.scope.product } : {}),
      openedAt: window.openedAt,
      verifiedAt: window.verifiedAt,
      before: { claims: count.before, days: window.before.days, rate: beforeRate },
      after: { claims: count.after, days: window.after.days, rate: afterRate },
      outcome,
    };
  });
  const actions = [...rows].sort((a, b) => b.verifiedAt.getTime() - a.verifiedAt.getTime() || (a.number < b.number ? -1 : 1));
  const rise = (row: EffectivenessRow) => (row.after.rate ?? 0) - row.before.rate;
  const notFallen = actions.filter((row) => row.outcome === 'not_fallen').sort((a, b) => rise(b) - rise(a) || (a.number < b.number ? -1 : 1));
  return { days, rateDays: RATE_DAYS, asOf, actions, notFallen };
}

/** Which verified corrective actions the effectiveness report measures (every field narrows it). */
export interface EffectivenessFilter {
  readonly department?: string;
  readonly category?: string;
  /** Verified in [from, to). */
  readonly from?: Date;
  readonly to?: Date;
}

/** The report's query parameters. */
export const EFFECTIVENESS_PARAMS = ['department', 'category', 'from', 'to'] as const;

const EffectivenessParams = z.strictObject(
  { department: z.string().max(40).optional(), category: z.string().max(40).optional(), from: Day.optional(), to: Day.optional() },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}; expected some of ${EFFECTIVENESS_PARAMS.join(', ')}` : undefined) },
);

/**
 * Parses the report's query parameters (empty values count as absent) against the desk: the
 * department and category must be the desk's; `from`/`to` are the days of verification, inclusive,
 * in the desk's time zone.
 * @example parseEffectivenessFilter({ category: 'defect', from: '2026-01-01' }, desk) // { ok: true, filter: { category: 'defect', from: … } }
 */
export function parseEffectivenessFilter(params: Readonly<Record<string, string>>, desk: DeskConfig): FilterParse<EffectivenessFilter> {
  const given = Object.fromEntries(Object.entries(params).flatMap(([key, value]) => (value.trim() === '' ? [] : [[key, value.trim()]])));
  const parsed = EffectivenessParams.safeParse(given);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)) };
  const { department, category, from, to } = parsed.data;
  const errors: string[] = [];
  if (department !== undefined && !desk.departments.some((item) => item.id === department)) errors.push(`department: expected one of ${desk.departments.map((item) => item.id).join(', ')}`);
  if (category !== undefined && !desk.categories.some((item) => item.id === category)) errors.push(`category: expected one of ${desk.categories.map((item) => item.id).join(', ')}`);
  if (from !== undefined && to !== undefined && to < from) errors.push(`to: expected a date on or after from (${from})`);
  if (errors.length > 0) return { ok: false, errors };
  const { since, until } = periodBounds({ ...(from ? { from } : {}), ...(to ? { to } : {}) }, desk.desk.timezone);
  return { ok: true, filter: { ...(department ? { department } : {}), ...(category ? { category } : {}), ...(since ? { from: since } : {}), ...(until ? { to: until } : {}) } };
}
