import { z } from 'zod';
import { Locale, LocalizedText } from './locale.js';
import { productKey } from './products.js';
import { DecisionOutcome, TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from './templates.js';
import { CustomerTexts } from './customer-templates.js';

const Id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected an id of lowercase letters, digits, "-" or "_", starting with a letter');

/** The shape of a console password hash: `scrypt$<N>$<r>$<p>$<salt>$<key>` (base64url). */
export const PASSWORD_HASH = /^scrypt\$\d{4,7}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9_-]{16,}\$[A-Za-z0-9_-]{32,}$/;

/** Staff roles, from DOMAIN.md. */
export const STAFF_ROLES = ['operator', 'specialist', 'quality', 'head'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export const CLAIM_KINDS = ['claim', 'complaint', 'quality_claim'] as const;
export const ClaimKind = z.enum(CLAIM_KINDS);
export type ClaimKind = z.infer<typeof ClaimKind>;

export const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

const Hours = z.number().positive('expected a positive number of hours').max(24 * 365, 'expected at most 8760 hours');

const SlaTarget = z
  .object({ firstResponseHours: Hours.optional(), resolutionHours: Hours.optional() })
  .strict();

export const Department = z
  .object({
    id: Id,
    name: LocalizedText,
    /** Slack channel id (C…/G…) where this department's claims are posted. */
    slackChannel: z.string().regex(/^[CG][A-Z0-9]{4,}$/, 'expected a Slack channel id such as C0123456789').optional(),
  })
  .strict();
export type Department = z.infer<typeof Department>;

/** Whether the intake asks a category's extra field as required, or lets the customer skip it. */
export const FieldRequirement = z.enum(['required', 'optional']);
export type FieldRequirement = z.infer<typeof FieldRequirement>;

export const Category = z
  .object({
    id: Id,
    label: LocalizedText,
    /** Which kinds of claim this category is offered for; all kinds when omitted. */
    kinds: z.array(ClaimKind).min(1).optional(),
    /** The department that handles claims of this category. */
    department: Id,
    /** Departments told at once about a new claim of this category (e.g. stop shipping a bad batch). */
    notify: z.array(Id).default([]),
    /** The warranty period in months from the purchase date; the assessment derives "within warranty" from it. */
    warrantyMonths: z.number().int('expected a whole number of months').positive('expected a positive number of months').max(1200, 'expected at most 1200 months').optional(),
    /** Extra fields the intake asks for this category (#25): the amount paid or claimed, the purchase date; none when omitted. */
    fields: z.object({ amount: FieldRequirement.optional(), purchaseDate: FieldRequirement.optional() }).strict().optional(),
  })
  .strict();
export type Category = z.infer<typeof Category>;

export const StaffMember = z
  .object({
    id: Id,
    name: z.string().trim().min(1, 'expected the staff member\'s name'),
    roles: z.array(StaffRole).min(1, 'expected at least one role (operator, specialist, quality, head)'),
    departments: z.array(Id).default([]),
    slack: z
      .object({
        teamId: z.string().regex(/^[TE][A-Z0-9]{4,}$/, 'expected a Slack team id such as T0123456789'),
        userId: z.string().regex(/^[UW][A-Z0-9]{4,}$/, 'expected a Slack user id such as U0123456789'),
      })
      .strict()
      .optional(),
    /** Sign-in to the web console: a password hash made by `npm run console:password`; no console access without it. */
    console: z
      .object({
        passwordHash: z.string().regex(PASSWORD_HASH, 'expected a password hash made by `npm run console:password` (scrypt$…), never the password itself'),
      })
      .strict()
      .optional(),
    locale: Locale.default('ru'),
    /** The member's position, as a decision's reply names its signer ("Olga Smirnova, claims specialist"). */
    position: LocalizedText.optional(),
  })
  .strict();
export type StaffMember = z.infer<typeof StaffMember>;

export const ResponseTemplate = z
  .object({
    id: Id,
    outcome: DecisionOutcome,
    title: LocalizedText,
    /** The reply text; its placeholders (TEMPLATE_PLACEHOLDERS in decision.ts) are filled in when used. */
    text: LocalizedText,
  })
  .strict();
export type ResponseTemplate = z.infer<typeof ResponseTemplate>;

export const SlaPolicyConfig = z
  .object({
    firstResponseHours: Hours.default(24),
    resolutionHours: Hours.default(240),
    /** Warn the assignee when this share of a window has passed. */
    warnAtShare: z.number().gt(0, 'expected a share between 0 and 1').lt(1, 'expected a share between 0 and 1').default(0.75),
    categories: z.record(Id, SlaTarget).default({}),
    severities: z.partialRecord(Severity, SlaTarget).default({}),
  })
  .strict();
export type SlaPolicyConfig = z.infer<typeof SlaPolicyConfig>;

export const SurveyConfig = z
  .object({
    /** Minutes after resolution before the survey is sent. */
    delayMinutes: z.number().min(0).default(60),
    /** Hours after the survey before one reminder. */
    reminderAfterHours: z.number().positive().default(24),
    /** Hours after the survey after which the claim closes, answered or not. */
    windowHours: z.number().positive().default(72),
    /** Hours during which a customer gets no second survey. */
    cooldownHours: z.number().min(0).default(24),
  })
  .strict();
export type SurveyConfig = z.infer<typeof SurveyConfig>;

export const DigestConfig = z
  .object({
    /** When the per-department Slack digest is posted: a cron expression in the desk's time zone. */
    cron: z.string().regex(/^\S+( \S+){4}$/, 'expected a cron expression of five fields, such as "0 9 * * 1-5"').default('0 9 * * *'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type DigestConfig = z.infer<typeof DigestConfig>;

export const ConversationConfig = z
  .object({
    /** Minutes without a message after which an unfinished dialog is closed politely. */
    idleMinutes: z.number().positive('expected a positive number of minutes').max(60 * 24 * 30, 'expected at most 43200 minutes (30 days)').default(120),
  })
  .strict();
export type ConversationConfig = z.infer<typeof ConversationConfig>;

/** An interval as Agenda reads it: "30 seconds", "1 minute", "2 hours" (or a number of milliseconds). */
const Interval = z.union([
  z.string().regex(/^\d+(\.\d+)? ?(second|minute|hour|day)s?$/, 'expected an interval such as "30 seconds", "1 minute" or "2 hours"'),
  z.number().int().min(1_000, 'expected at least 1000 milliseconds'),
]);

/** How often each sweep looks for work (the jobs' cadence); today's defaults. */
export const JobsConfig = z
  .object({
    /** Surveys to send, remind and close. */
    surveySweepEvery: Interval.default('1 minute'),
    /** SLA warnings and breaches. */
    slaSweepEvery: Interval.default('1 minute'),
    /** Customer notifications a crash left unscheduled. */
    notifySweepEvery: Interval.default('1 minute'),
    /** Slack posts that missed a change. */
    staffSyncSweepEvery: Interval.default('1 minute'),
    /** Dialogs idle for longer than conversation.idleMinutes. */
    idleSweepEvery: Interval.default('5 minutes'),
    /** Pruning finished jobs, ended sessions, abandoned chats and unattached uploads. */
    housekeepingEvery: Interval.default('1 hour'),
    /** Corrective actions' reminders, overdue notices and escalations, and their alerts. */
    capaSweepEvery: Interval.default('1 minute'),
    /** Overdue fulfilments of decisions (#25). */
    fulfilmentSweepEvery: Interval.default('1 minute'),
  })
  .strict();
export type JobsConfig = z.infer<typeof JobsConfig>;

/**
 * Decisions (#25): which wait for a head's approval before the customer hears of them, and when an
 * overdue fulfilment goes to the heads.
 */
export const DecisionsConfig = z
  .object({
    /** Decisions granting more than this amount (in the desk's currency, e.g. 50000) wait for a head's approval; absent: none for the amount. */
    approvalOver: z.number().positive('expected a positive amount such as 50000').max(10_000_000_000, 'expected at most 10000000000').optional(),
    /** Rejections of claims of these severities wait for a head's approval. */
    approveRejectionsOf: z.array(Severity).default(['high', 'critical']),
    /** A remedy still not carried out this many hours after its due date goes to the heads (the assignee is told at the due date). */
    fulfilmentEscalateAfterHours: Hours.default(24),
  })
  .strict();
export type DecisionsConfig = z.infer<typeof DecisionsConfig>;

/** A root-cause category of an investigation (an Ishikawa "M"), with its labels. */
export const CauseCategory = z.object({ id: Id, label: LocalizedText }).strict();
export type CauseCategory = z.infer<typeof CauseCategory>;

/** The default cause categories: the 6M of an Ishikawa diagram. */
export const DEFAULT_CAUSE_CATEGORIES: readonly CauseCategory[] = [
  { id: 'people', label: { ru: 'Люди', en: 'People' } },
  { id: 'machines', label: { ru: 'Оборудование', en: 'Machines' } },
  { id: 'methods', label: { ru: 'Методы', en: 'Methods' } },
  { id: 'materials', label: { ru: 'Материалы', en: 'Materials' } },
  { id: 'measurement', label: { ru: 'Измерения', en: 'Measurement' } },
  { id: 'environment', label: { ru: 'Среда', en: 'Environment' } },
];

/** When corrective actions' owners are reminded and overdue actions escalate to the quality role. */
export const CapaConfig = z
  .object({
    /** The owner is reminded this many hours before the due date. */
    remindBeforeHours: Hours.default(24),
    /** An action still open this many hours after its due date goes to the quality role. */
    escalateAfterHours: Hours.default(24),
  })
  .strict();
export type CapaConfig = z.infer<typeof CapaConfig>;
/** A product of the optional catalogue (#24): its id, names and the other spellings customers use. */
export const CatalogueProduct = z
  .object({
    id: Id,
    name: LocalizedText,
    /** Other names of the same product ("KT200", "чайник КТ-200"); matched with case, spaces and punctuation folded. */
    aliases: z.array(z.string().trim().min(1, 'expected an alias of at least one character').max(200, 'expected an alias of at most 200 characters')).max(100, 'expected at most 100 aliases').default([]),
  })
  .strict();
export type CatalogueProduct = z.infer<typeof CatalogueProduct>;

/** The analysis (#24): the CAPA effectiveness windows and the similar claims search. */
export const AnalysisConfig = z
  .object({
    /** Days before an action was opened and after it was verified whose claims are compared. */
    effectivenessDays: z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(3650, 'expected at most 3650 days').default(90),
    /** How far back the similar claims are looked for, in days. */
    similarDays: z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(3650, 'expected at most 3650 days').default(180),
    /** How many similar claims are shown at most. */
    similarTop: z.number().int('expected a whole number').min(1, 'expected at least 1').max(50, 'expected at most 50').default(5),
    /** The lowest similarity (0–1) a claim needs to be shown. */
    similarThreshold: z.number().gt(0, 'expected a share between 0 and 1').lt(1, 'expected a share between 0 and 1').default(0.2),
  })
  .strict();
export type AnalysisConfig = z.infer<typeof AnalysisConfig>;

/** The version of the built-in consent notice (the catalogues' `consent.notice`), used when the desk sets no notice of its own. */
export const BUILT_IN_NOTICE_VERSION = 'built-in-1';

/**
 * How long personal data is kept (#26): the personal data of claims closed longer than
 * `closedClaimsDays` ago is erased by the daily retention job (the claims stay, tombstoned, for the
 * statistics); abandoned web chats (no claim, nothing written) are deleted after `abandonedWebChatDays`.
 */
export const RetentionConfig = z
  .object({
    closedClaimsDays: z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(36_500, 'expected at most 36500 days').default(1095),
    abandonedWebChatDays: z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(3650, 'expected at most 3650 days').default(30),
  })
  .strict();
export type RetentionConfig = z.infer<typeof RetentionConfig>;

/**
 * The desk's retention settings, the defaults where the desk sets none.
 * @example retentionOf(desk).closedClaimsDays // 1095
 */
export function retentionOf(desk: Pick<DeskConfig, 'privacy'>): RetentionConfig {
  return desk.privacy.retention ?? RetentionConfig.parse({});
}

/**
 * Personal data (#26): the notice a customer agrees to before the report asks for their name,
 * contact or files. Without a `notice` the catalogues' text is shown (version
 * {@link BUILT_IN_NOTICE_VERSION}); a desk's own notice needs its own `version` — changing the
 * version asks every customer once more at their next report.
 */
export const PrivacyConfig = z
  .object({
    notice: LocalizedText.optional(),
    version: z.string().trim().min(1, 'expected a version such as "2026-01"').max(40, 'expected a version of at most 40 characters').optional(),
    policyUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://example.com/privacy' }).optional(),
    /** How long personal data is kept (#26): see {@link RetentionConfig}. */
    retention: RetentionConfig.optional(),
  })
  .strict()
  .superRefine((privacy, ctx) => {
    if (privacy.notice && privacy.version === undefined) ctx.addIssue({ code: 'custom', path: ['version'], message: 'expected a version of the notice (e.g. "2026-01") when privacy.notice is set' });
  });
export type PrivacyConfig = z.infer<typeof PrivacyConfig>;

/** The version of the consent notice the desk asks for now. */
export function noticeVersion(desk: Pick<DeskConfig, 'privacy'>): string {
  return desk.privacy.version ?? BUILT_IN_NOTICE_VERSION;
}

/** The audit trail (#26): how long its records are kept. */
export const AuditConfig = z
  .object({
    /** Days an audit record is kept; housekeeping deletes older ones (default 1095: three years). */
    retentionDays: z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(36_500, 'expected at most 36500 days').default(1095),
  })
  .strict();
export type AuditConfig = z.infer<typeof AuditConfig>;

/**
 * The desk configuration: one JSON or YAML file (see config/desk.example.yaml).
 * Cross references (a category's department, notify lists, staff departments) are checked too.
 */
export const DeskConfig = z
  .object({
    desk: z
      .object({
        name: LocalizedText,
        /** IANA time zone used for claim numbers (the year) and dates shown to people. */
        timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Moscow').default('UTC'),
        defaultLocale: Locale.default('ru'),
        /** The ISO 4217 code of the desk's currency: the amounts of decisions are in it. */
        currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as RUB').default('RUB'),
      })
      .strict(),
    departments: z.array(Department).min(1, 'expected at least one department'),
    categories: z.array(Category).min(1, 'expected at least one category'),
    staff: z.array(StaffMember).default([]),
    sla: SlaPolicyConfig.default(SlaPolicyConfig.parse({})),
    survey: SurveyConfig.default(SurveyConfig.parse({})),
    templates: z.array(ResponseTemplate).default([]),
    conversation: ConversationConfig.default(ConversationConfig.parse({})),
    digest: DigestConfig.default(DigestConfig.parse({})),
    jobs: JobsConfig.default(JobsConfig.parse({})),
    /** The cause categories an investigation picks from (#24); the 6M by default. */
    causeCategories: z.array(CauseCategory).min(1, 'expected at least one cause category').max(100, 'expected at most 100 cause categories').default(() => DEFAULT_CAUSE_CATEGORIES.map((cause) => ({ ...cause, label: { ...cause.label } }))),

    capa: CapaConfig.default(CapaConfig.parse({})),
    privacy: PrivacyConfig.default(PrivacyConfig.parse({})),
    audit: AuditConfig.default(AuditConfig.parse({})),
    /** The product catalogue (#24): products group by it before the normalised name. */
    products: z.array(CatalogueProduct).max(10_000, 'expected at most 10000 products').default([]),
    analysis: AnalysisConfig.default(AnalysisConfig.parse({})),
    /** The desk's own acknowledgement and question texts (#25); the catalogues' when omitted. */
    customerTexts: CustomerTexts.default({}),
    decisions: DecisionsConfig.default(DecisionsConfig.parse({})),
  })
  .strict()
  .superRefine((desk, ctx) => {
    const departments = new Set(desk.departments.map((d) => d.id));
    const known = [...departments].join(', ');
    const unique = (items: readonly { id: string }[], path: string) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `expected a unique id, "${item.id}" is used twice` });
        seen.add(item.id);
      });
    };
    unique(desk.departments, 'departments');
    unique(desk.categories, 'categories');
    unique(desk.staff, 'staff');
    unique(desk.templates, 'templates');
    unique(desk.causeCategories, 'causeCategories');
    unique(desk.products, 'products');
    catalogueConflicts(desk.products).forEach((issue) => ctx.addIssue({ code: 'custom', path: ['products', ...issue.path], message: issue.message }));
    desk.templates.forEach((template, index) => {
      for (const locale of ['ru', 'en'] as const) {
        const unknown = unknownPlaceholders(template.text[locale]);
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['templates', index, 'text', locale],
            message: `template "${template.id}" uses an unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; expected one of ${TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
          });
        }
      }
    });
    desk.categories.forEach((category, index) => {
      if (!departments.has(category.department)) {
        ctx.addIssue({ code: 'custom', path: ['categories', index, 'department'], message: `expected one of the departments (${known}), got "${category.department}"` });
      }
      category.notify.forEach((id, n) => {
        if (!departments.has(id)) ctx.addIssue({ code: 'custom', path: ['categories', index, 'notify', n], message: `expected one of the departments (${known}), got "${id}"` });
      });
    });
    desk.staff.forEach((member, index) => {
      member.departments.forEach((id, n) => {
        if (!departments.has(id)) ctx.addIssue({ code: 'custom', path: ['staff', index, 'departments', n], message: `expected one of the departments (${known}), got "${id}"` });
      });
    });
    const categories = new Set(desk.categories.map((c) => c.id));
    for (const id of Object.keys(desk.sla.categories)) {
      if (!categories.has(id)) ctx.addIssue({ code: 'custom', path: ['sla', 'categories', id], message: `expected one of the categories (${[...categories].join(', ')})` });
    }
    const slackIds = new Set<string>();
    desk.staff.forEach((member, index) => {
      if (!member.slack) return;
      const key = `${member.slack.teamId}/${member.slack.userId}`;
      if (slackIds.has(key)) ctx.addIssue({ code: 'custom', path: ['staff', index, 'slack'], message: `expected a unique Slack user, ${key} is listed twice` });
      slackIds.add(key);
    });
  });
export type DeskConfig = z.infer<typeof DeskConfig>;

/**
 * Names of the catalogue that fold to the same key ({@link productKey}) but belong to two
 * products: each is a config error naming the later name's field.
 */
function catalogueConflicts(products: readonly CatalogueProduct[]): { path: (string | number)[]; message: string }[] {
  const owners = new Map<string, string>();
  const issues: { path: (string | number)[]; message: string }[] = [];
  products.forEach((product, index) => {
    const names: [(string | number)[], string][] = [[['id'], product.id], [['name', 'ru'], product.name.ru], [['name', 'en'], product.name.en], ...product.aliases.map((alias, n): [(string | number)[], string] => [['aliases', n], alias])];
    for (const [path, name] of names) {
      const key = productKey(name);
      if (key === undefined) {
        issues.push({ path: [index, ...path], message: 'expected a name with letters or digits' });
        continue;
      }
      const owner = owners.get(key);
      if (owner !== undefined && owner !== product.id) issues.push({ path: [index, ...path], message: `"${name}" is also a name of product "${owner}"` });
      else owners.set(key, product.id);
    }
  });
  return issues;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // Intl throws a RangeError exactly for an unknown time zone
    return false;
  }
}

/** Finds a category by id, or undefined. */
export function findCategory(desk: DeskConfig, id: string): Category | undefined {
  return desk.categories.find((category) => category.id === id);
}

/** Whether a category is offered for a kind of claim (all kinds when it names none). */
export function offersKind(category: Pick<Category, 'kinds'>, kind: ClaimKind): boolean {
  return !category.kinds || category.kinds.includes(kind);
}

/** The categories offered for a kind of claim, in configuration order. */
export function categoriesForKind(desk: DeskConfig, kind: ClaimKind): Category[] {
  return desk.categories.filter((category) => offersKind(category, kind));
}
