import { z } from 'zod';
import type { CorrectiveAction } from '../../../src/domain/capa.js';
import type { DeskConfig, StaffMember } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import { claimForViewer } from '../../../src/domain/personal-data.js';
import { parseQuery, readJson, sendJson, type HttpServer } from '../../../src/http.js';
import { t } from '../../../src/i18n/index.js';
import type { StaffNotice } from '../../../src/domain/staff-alerts.js';
import { actorName, historyText, labels, PLAIN, slaText, type RenderContext } from '../../staff-text.js';
import { checkOrigin, type RequireStaff } from './api.js';

/** A stored notice as the console reads it (the store's StoredNotice). */
export interface NoticeRecord extends StaffNotice {
  readonly id: string;
  readonly read: boolean;
}

/** The console's notifications (the store's StaffNoticeStore). */
export interface NoticeReads {
  list(staffId: string, limit: number, before?: string): Promise<{ readonly notices: NoticeRecord[]; readonly unread: number }>;
  unread(staffId: string): Promise<number>;
  markRead(staffId: string, ids: readonly string[] | 'all'): Promise<number>;
}

export interface ConsoleNoticesOptions {
  readonly http: Pick<HttpServer, 'route'>;
  readonly desk: DeskConfig;
  readonly requireStaff: RequireStaff;
  readonly notices: NoticeReads;
  /** What the notices are about, read when they are shown (their texts are rendered then). */
  readonly claims: { findById(id: string): Promise<Claim | undefined> };
  readonly actions?: { findById(id: string): Promise<CorrectiveAction | undefined> };
  readonly publicUrl?: string;
  readonly trustProxy?: number;
}

const ListParams = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  before: z.string().regex(/^[0-9a-f]{24}$/).optional(),
});
const ReadInput = z.union([z.strictObject({ ids: z.array(z.string().regex(/^[0-9a-f]{24}$/, 'expected notice ids')).min(1).max(200) }), z.strictObject({ all: z.literal(true) })]);

/** The action events that alert somebody, each with its text (`capa.alert.<type>`). */
const ACTION_ALERTS = ['assigned', 'due_soon', 'overdue', 'escalated', 'done', 'verification_failed'] as const;
type ActionAlertType = (typeof ACTION_ALERTS)[number];
const isActionAlert = (type: string): type is ActionAlertType => (ACTION_ALERTS as readonly string[]).includes(type);

/**
 * A claim notice's text in the member's language, from the claim as the member may see it (masked
 * without the right): the texts Slack's alerts say; any other alert kind as the event's history line.
 */
export function claimNoticeText(ctx: RenderContext, member: StaffMember, notice: StaffNotice, stored: Claim | undefined): string {
  const event = stored?.history.find((candidate) => candidate.id === notice.eventId);
  if (!stored || !event) return t(ctx.locale, 'console.notices.gone', { number: notice.subjectNumber });
  const claim = claimForViewer(member, stored).claim;
  switch (notice.kind) {
    case 'assignment':
      return t(ctx.locale, 'staff.ping.assigned', { who: actorName(ctx, event.actor), kind: labels.kindLabel(ctx.locale, claim).toLowerCase(), number: claim.number });
    case 'sla_warning':
    case 'sla_breach':
      return slaText(ctx, claim, event);
    case 'low_score':
      return t(ctx.locale, 'staff.survey.low', { number: claim.number, score: event.score ?? 0 });
    case 'new_claim':
    case 'department_notice':
      return t(ctx.locale, 'staff.notify.new', {
        kind: labels.kindLabel(ctx.locale, claim).toLowerCase(),
        number: claim.number,
        department: labels.departmentName(ctx, claim.department),
        category: labels.categoryLabel(ctx, claim.category),
      });
    default: {
      // a kind added later (approvals, fulfilment…): the event's line in the history
      const line = historyText(ctx, claim, event, PLAIN);
      return line === undefined ? t(ctx.locale, 'console.notices.about', { number: claim.number }) : t(ctx.locale, 'console.notices.other', { number: claim.number, text: line });
    }
  }
}

/** A corrective action notice's text, as its Slack direct message says it. */
export function actionNoticeText(ctx: RenderContext, notice: StaffNotice, action: CorrectiveAction | undefined): string {
  const event = action?.history.find((candidate) => candidate.id === notice.eventId);
  if (!action || !event || !isActionAlert(event.type)) return t(ctx.locale, 'console.notices.gone', { number: notice.subjectNumber });
  return t(ctx.locale, `capa.alert.${event.type}`, { number: action.number, due: labels.when(ctx, action.dueAt), description: action.description, owner: labels.staffName(ctx.desk, action.ownerId) });
}

/**
 * The console's notifications under `/console/api/notices`: a member's list (newest first, paged
 * by `before`), their unread count (the header's badge), and marking read — theirs only. Texts are
 * rendered now, in the member's language, from the claim or action as it is now.
 */
export function mountConsoleNotices(options: ConsoleNoticesOptions): void {
  const { http, desk, requireStaff, notices } = options;
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const render = async (member: StaffMember, page: readonly NoticeRecord[]) => {
    const ctx: RenderContext = { desk, locale: member.locale };
    const ids = (source: StaffNotice['source']) => [...new Set(page.filter((notice) => notice.source === source).map((notice) => notice.subjectId))];
    const claims = new Map(await Promise.all(ids('claim').map(async (id) => [id, await options.claims.findById(id)] as const)));
    const actions = new Map(await Promise.all(ids('action').map(async (id) => [id, await options.actions?.findById(id)] as const)));
    return page.map((notice) => ({
      id: notice.id,
      at: notice.at,
      read: notice.read,
      source: notice.source,
      kind: notice.kind,
      number: notice.subjectNumber,
      text: notice.source === 'claim' ? claimNoticeText(ctx, member, notice, claims.get(notice.subjectId)) : actionNoticeText(ctx, notice, actions.get(notice.subjectId)),
    }));
  };

  http.route('GET', '/console/api/notices', async (req, res) => {
    const member = await requireStaff(req);
    const params = parseQuery(req, ListParams);
    const { notices: page, unread } = await notices.list(member.id, params.limit, params.before);
    sendJson(res, 200, { unread, notices: await render(member, page) });
  });

  http.route('GET', '/console/api/notices/count', async (req, res) => {
    const member = await requireStaff(req);
    sendJson(res, 200, { unread: await notices.unread(member.id) });
  });

  http.route('POST', '/console/api/notices/read', async (req, res) => {
    checkOrigin(req, publicOrigin, options.trustProxy ?? 0);
    const member = await requireStaff(req);
    const input = await readJson(req, ReadInput, 16_384);
    const marked = await notices.markRead(member.id, 'all' in input ? 'all' : input.ids);
    sendJson(res, 200, { marked, unread: await notices.unread(member.id) });
  });
}
