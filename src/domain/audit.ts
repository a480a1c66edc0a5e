import { z } from 'zod';
import { Day, periodBounds, type FilterParse } from './claim-filter.js';
import type { DeskConfig } from './desk.js';
import { formatPath } from './zod-issues.js';

/**
 * What the audit trail records:
 * - `personal_data_viewed`: a claim's personal data shown unmasked (the console's claim page, Slack `/claim`);
 * - `file_downloaded`: a customer's file downloaded from the console;
 * - `register_exported`: the claims register exported as CSV (with or without the personal-data columns);
 * - `sign_in` / `sign_in_failed`: a console sign-in that succeeded, or failed (wrong password, unknown login, throttled);
 * - `customer_data_exported`: everything the desk holds about one customer exported (`customerKey`: the export's id);
 * - `customer_erased`: one customer's personal data erased by staff (`forced` past open claims; `customerKey`: the erasure's id);
 * - `retention_erased`: closed claims past the desk's retention erased by the daily job (`count` claims);
 * - `data_requested`: a customer asked for their data in the messenger (`/mydata`; `customerKey`: the request's id).
 */
export const AUDIT_KINDS = ['personal_data_viewed', 'file_downloaded', 'register_exported', 'sign_in', 'sign_in_failed', 'customer_data_exported', 'customer_erased', 'retention_erased', 'data_requested'] as const;
export const AuditKind = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKind>;

/** Where the audited event happened. */
export const AUDIT_CHANNELS = ['console', 'slack', 'telegram', 'web', 'jobs'] as const;
export type AuditChannel = (typeof AUDIT_CHANNELS)[number];

/**
 * One audit record: who (the staff id, when the person is listed), what, about which claim or
 * customer, when, from which channel. Ids, numbers and counts only — never a name, a phone, an
 * e-mail or anything a customer or staff member typed (a failed sign-in's typed login is kept
 * only when it is a staff id).
 */
export interface AuditEntry {
  readonly at: Date;
  readonly kind: AuditKind;
  readonly channel: AuditChannel;
  /** The desk-config id of the staff member; absent for a sign-in with a login that is no staff id. */
  readonly staffId?: string;
  /** The claim concerned (its id and number). */
  readonly claimId?: string;
  readonly claimNumber?: string;
  /** The customer concerned, as an opaque key (for records about one customer rather than a claim). */
  readonly customerKey?: string;
  /** A register export: whether it held the personal-data columns. */
  readonly personalData?: boolean;
  /** A failed sign-in: why (`invalid`: wrong login or password; `throttled`: too many attempts). */
  readonly reason?: 'invalid' | 'throttled';
  /** A sign-in: the client's network address (a security record about the staff side). */
  readonly address?: string;
  /** A customer's export or erasure: how many claims it covered (a retention run: how many it erased). */
  readonly count?: number;
  /** An erasure past open claims, forced by a head. */
  readonly forced?: boolean;
}

/** An audit record as read back, with its id. */
export interface StoredAuditEntry extends AuditEntry {
  readonly id: string;
}

/** Where audit records go (the store's AuditLog). Recording is awaited: what is shown is recorded first. */
export interface AuditRecorder {
  record(entry: AuditEntry): Promise<void>;
}

/** The audit trail's filter: kind, staff member, period (dates in the desk's time zone, inclusive). */
export interface AuditFilter {
  readonly kind?: AuditKind;
  readonly staffId?: string;
  /** Instants: `since` inclusive, `until` exclusive. */
  readonly since?: Date;
  readonly until?: Date;
}

/** The audit list's most records per page. */
export const AUDIT_PAGE_MAX = 200;

const AuditParams = z
  .object({
    kind: AuditKind.optional(),
    staff: z.string().min(1).max(64).optional(),
    from: Day.optional(),
    to: Day.optional(),
    page: z.coerce.number('expected a page number from 1').int('expected a page number from 1').min(1, 'expected a page number from 1').max(100_000, 'expected a page number of at most 100000').default(1),
    limit: z.coerce.number(`expected a number from 1 to ${AUDIT_PAGE_MAX}`).int(`expected a number from 1 to ${AUDIT_PAGE_MAX}`).min(1, `expected a number from 1 to ${AUDIT_PAGE_MAX}`).max(AUDIT_PAGE_MAX, `expected a number from 1 to ${AUDIT_PAGE_MAX}`).default(50),
  })
  .strict()
  .superRefine((params, ctx) => {
    if (params.from !== undefined && params.to !== undefined && params.to < params.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `expected a date on or after from (${params.from})` });
  });

/**
 * Parses the audit trail's query parameters (`kind`, `staff`, `from`, `to`, `page`, `limit`),
 * checking the staff id against the desk. Never throws on user input.
 * @example parseAuditQuery({ kind: 'sign_in_failed', from: '2026-11-01' }, desk) // { ok: true, filter: { filter: { kind: 'sign_in_failed', since: … }, page: 1, limit: 50 } }
 */
export function parseAuditQuery(params: Readonly<Record<string, string>>, desk: DeskConfig): FilterParse<{ readonly filter: AuditFilter; readonly page: number; readonly limit: number }> {
  const parsed = AuditParams.safeParse(Object.fromEntries(Object.entries(params).filter(([, value]) => value.trim() !== '')));
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`)) };
  const { kind, staff, from, to, page, limit } = parsed.data;
  const known = desk.staff.map((member) => member.id);
  if (staff !== undefined && !known.includes(staff)) return { ok: false, errors: [`staff: expected one of ${known.join(', ')}`] };
  const bounds = periodBounds({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, desk.desk.timezone);
  const filter: AuditFilter = { ...(kind ? { kind } : {}), ...(staff ? { staffId: staff } : {}), ...bounds };
  return { ok: true, filter: { filter, page, limit } };
}
