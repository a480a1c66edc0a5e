import { z } from 'zod';
import { Attachment, DESCRIPTION_MAX, DESCRIPTION_MIN, REMEDIES, Remedy, type ClaimDraftInput } from '../src/domain/claim.js';
import { Email, normalisePhone } from '../src/domain/contact.js';
import { CLAIM_KINDS, ClaimKind, categoriesForKind, findCategory, noticeVersion, offersKind, type DeskConfig } from '../src/domain/desk.js';
import { dayIn } from '../src/domain/assessment.js';
import { Consent, priorConsent } from '../src/domain/consent.js';
import { essenceOf, formatAmount } from '../src/domain/decision.js';
import { fieldRequirement, formatDay, parseClaimAmount, parsePurchaseDate, PURCHASE_DATE_MAX_YEARS, shiftDay, type CategoryField } from '../src/domain/intake-fields.js';
import { Money } from '../src/domain/money.js';
import { fillTemplate } from '../src/domain/templates.js';
import type { CustomerTextPlaceholder } from '../src/domain/customer-templates.js';
import type { Claim } from '../src/domain/lifecycle.js';
import { formatDateTime } from '../src/i18n/index.js';
import {
  between,
  customerClaims,
  globalChoiceId,
  info,
  message,
  prepend,
  reply,
  resultOf,
  say,
  type ChoiceDef,
  type Dialog,
  type StepOutcome,
  type Turn,
} from './core.js';
import { acceptChoice, acceptText, askStep, clearStep, isAnswered, isOptional, issue, nextStep, storeValue, type Answers, type FormStep, type Refusal } from './form.js';
import type { ConversationState } from './state.js';
import { customerOf, referenceOf, type Outbound } from './types.js';

export const INTAKE = 'intake';
const VERSION = 1;
const CONFIRM = 'confirm';

/** The largest file the channels let the desk fetch later (Telegram's getFile limit), in MB. */
export const FILE_SIZE_LIMIT_MB = 20;

/** The most files one report keeps (the claim schema's limit). */
export const FILES_MAX = 20;
const PRODUCT_MAX = 200;
const ORDER_MAX = 100;
const NAME_MAX = 200;

const PreviousContact = z.object({ name: z.string(), phone: z.string().optional(), email: z.string().optional() });
type PreviousContact = z.infer<typeof PreviousContact>;

/** The answers of the intake, read back from the stored conversation. */
const IntakeAnswers = z.object({
  draftId: z.string(),
  kind: ClaimKind.optional(),
  category: z.string().optional(),
  product: z.string().nullable().optional(),
  order: z.string().nullable().optional(),
  /** The category's extra fields (#25): null when skipped. */
  amount: Money.nullable().optional(),
  purchaseDate: z.iso.date().nullable().optional(),
  description: z.string().optional(),
  files: z.array(Attachment).optional(),
  filesDone: z.literal(true).optional(),
  remedy: Remedy.optional(),
  previous: PreviousContact.nullable().optional(),
  displayName: z.string().optional(),
  firstMessage: z.string().optional(),
  reuse: z.boolean().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  /** The consent to the privacy notice (#26): given in this report, or earlier to the same version. */
  consent: Consent.optional(),
});
type IntakeAnswers = z.infer<typeof IntakeAnswers>;

/** Answers already read, by the stored object: answers are never changed in place (each step makes new ones), so a turn parses them once, not at every step's check. */
const readAnswers = new WeakMap<Answers, Readonly<IntakeAnswers>>();

function read(answers: Answers): Readonly<IntakeAnswers> {
  let parsed = readAnswers.get(answers);
  if (parsed === undefined) {
    parsed = IntakeAnswers.parse(answers);
    readAnswers.set(answers, parsed);
  }
  return parsed;
}

function kindsOffered(desk: DeskConfig): ClaimKind[] {
  return CLAIM_KINDS.filter((kind) => categoriesForKind(desk, kind).length > 0);
}

function categoryChoices(answers: Answers, turn: Turn): ChoiceDef[] {
  const { kind } = read(answers);
  if (!kind) return [];
  return categoriesForKind(turn.desk, kind).map((c) => ({ value: c.id, label: c.label[turn.locale] }));
}

const optionalText = (max: number) =>
  z.string().trim().min(1, issue('invalid.empty')).max(max, issue('invalid.too_long'));

/** Phone or e-mail, whichever the customer typed. */
const Reach = z.string().transform((value, ctx): { phone: string } | { email: string } => {
  const typed = value.trim();
  if (typed.includes('@')) {
    const email = Email.safeParse(typed);
    if (email.success) return { email: email.data };
    ctx.addIssue({ code: 'custom', message: issue('invalid.email') });
    return z.NEVER;
  }
  const phone = normalisePhone(typed);
  if (phone) return { phone };
  ctx.addIssue({ code: 'custom', message: issue('invalid.phone') });
  return z.NEVER;
});

function formatContact(contact: { name: string; phone?: string | undefined; email?: string | undefined }): string {
  return [contact.name, contact.phone, contact.email].filter(Boolean).join(', ');
}

/** The intake's steps, in the order they are asked. */
export const INTAKE_STEPS: readonly FormStep[] = [
  {
    id: 'kind',
    ask: 'ask.intake.kind',
    input: 'choice',
    choices: (_answers, turn) => kindsOffered(turn.desk).map((kind) => ({ value: kind, label: say(turn, `kind.${kind}`) })),
    auto: (answers, turn) => {
      const kinds = kindsOffered(turn.desk);
      return kinds.length === 1 && kinds[0] ? { ...answers, kind: kinds[0] } : undefined;
    },
    store: (answers, value, turn) => {
      const kind = ClaimKind.parse(value);
      const chosen = read(answers).category;
      const category = chosen === undefined ? undefined : findCategory(turn.desk, chosen);
      const stillOffered = category !== undefined && offersKind(category, kind);
      const { category: _dropped, ...rest } = answers;
      return stillOffered ? { ...answers, kind } : { ...rest, kind };
    },
  },
  {
    id: 'category',
    ask: 'ask.intake.category',
    input: 'choice',
    choices: categoryChoices,
    when: (answers) => read(answers).kind !== undefined,
    auto: (answers, turn) => {
      const choices = categoryChoices(answers, turn);
      return choices.length === 1 && choices[0] ? { ...answers, category: choices[0].value } : undefined;
    },
  },
  { id: 'product', ask: 'ask.intake.product', input: 'text', optional: true, text: optionalText(PRODUCT_MAX), limits: { max: PRODUCT_MAX } },
  { id: 'order', ask: 'ask.intake.order', input: 'text', optional: true, text: optionalText(ORDER_MAX), limits: { max: ORDER_MAX } },
  {
    id: 'amount',
    ask: 'ask.intake.amount',
    askParams: (_answers, turn) => ({ currency: turn.desk.desk.currency }),
    input: 'text',
    when: (answers, turn) => asks(answers, turn, 'amount'),
    optional: (answers, turn) => categoryOf(answers, turn)?.fields?.amount === 'optional',
    parse: (text, _answers, turn) => {
      const read = parseClaimAmount(text, turn.desk.desk.currency);
      return read.ok ? { ok: true, value: read.amount } : { ok: false, refusal: { key: `invalid.amount.${read.problem}`, params: { currency: turn.desk.desk.currency } } };
    },
  },
  {
    id: 'purchaseDate',
    ask: 'ask.intake.purchaseDate',
    input: 'text',
    when: (answers, turn) => asks(answers, turn, 'purchaseDate'),
    optional: (answers, turn) => categoryOf(answers, turn)?.fields?.purchaseDate === 'optional',
    suggestions: (_answers, turn) => [
      { value: 'today', label: say(turn, 'button.today') },
      { value: 'yesterday', label: say(turn, 'button.yesterday') },
      { value: 'other', label: say(turn, 'button.other_date') },
    ],
    // "another day" is answered by handleStep (it asks for the date to be typed); these two are days
    pick: (answers, value, turn) => ({ ...answers, purchaseDate: shiftDay(today(turn), value === 'yesterday' ? -1 : 0) }),
    parse: (text, _answers, turn) => {
      const read = parsePurchaseDate(text, today(turn));
      return read.ok ? { ok: true, value: read.date } : { ok: false, refusal: { key: `invalid.date.${read.problem}`, params: { years: PURCHASE_DATE_MAX_YEARS } } };
    },
  },
  {
    id: 'description',
    ask: 'ask.intake.description',
    input: 'text',
    text: z
      .string()
      .trim()
      .min(DESCRIPTION_MIN, issue('invalid.description.short'))
      .max(DESCRIPTION_MAX, issue('invalid.description.long')),
    limits: { min: DESCRIPTION_MIN, max: DESCRIPTION_MAX },
    // the message that started the conversation is offered, so it is never lost or typed twice
    suggestions: (answers, turn) => (read(answers).firstMessage ? [{ value: 'first', label: say(turn, 'button.use_first_message') }] : []),
    pick: (answers) => ({ ...answers, description: read(answers).firstMessage }),
  },
  {
    // the privacy notice (#26), before the first question that collects personal data
    id: 'consent',
    ask: 'consent.notice',
    question: (_answers, turn) => consentNotice(turn),
    input: 'choice',
    choices: (_answers, turn) => [
      { value: 'agree', label: say(turn, 'button.consent_agree') },
      { value: 'decline', label: say(turn, 'button.consent_decline') },
    ],
    // "I do not agree" is answered by handleStep (it ends the report); this stores the agreement
    pick: (answers, _value, turn) => ({ ...answers, consent: { version: noticeVersion(turn.desk), at: turn.now } }),
  },
  {
    id: 'files',
    ask: 'ask.intake.files',
    askParams: () => ({ max: FILES_MAX }),
    input: 'files',
    choices: (answers, turn) => {
      const count = read(answers).files?.length ?? 0;
      return count === 0
        ? [{ value: 'done', label: say(turn, 'button.no_files') }]
        : [
            { value: 'done', label: say(turn, 'button.files_done', { count }) },
            { value: 'clear', label: say(turn, 'button.files_clear') },
          ];
    },
    answered: (answers) => read(answers).filesDone === true,
    pick: (answers, value) => {
      if (value === 'done') return { ...answers, filesDone: true };
      const { files: _files, ...rest } = answers;
      return rest;
    },
    clear: (answers) => {
      const { filesDone: _done, ...rest } = answers;
      return rest;
    },
  },
  {
    id: 'remedy',
    ask: 'ask.intake.remedy',
    input: 'choice',
    choices: (_answers, turn) => REMEDIES.map((remedy) => ({ value: remedy, label: say(turn, `remedy.${remedy}`) })),
  },
  {
    id: 'reuse',
    ask: 'ask.intake.reuse',
    askParams: (answers) => {
      const previous = read(answers).previous;
      return { contact: previous ? formatContact(previous) : '' };
    },
    input: 'choice',
    when: (answers) => Boolean(read(answers).previous),
    choices: (_answers, turn) => [
      { value: 'use', label: say(turn, 'button.reuse_contact') },
      { value: 'other', label: say(turn, 'button.other_contact') },
    ],
    store: (answers, value) => {
      const previous = read(answers).previous;
      if (value !== 'use' || !previous) return { ...answers, reuse: false };
      return { ...answers, reuse: true, name: previous.name, ...(previous.phone ? { phone: previous.phone } : {}), ...(previous.email ? { email: previous.email } : {}) };
    },
    clear: (answers) => forgetContact(answers),
  },
  {
    id: 'name',
    ask: 'ask.intake.name',
    input: 'text',
    text: z.string().trim().min(1, issue('invalid.empty')).max(NAME_MAX, issue('invalid.too_long')),
    limits: { max: NAME_MAX },
    suggestions: (answers) => {
      const shown = read(answers).displayName;
      return shown ? [{ value: 'display', label: shown }] : [];
    },
    pick: (answers) => ({ ...answers, name: read(answers).displayName }),
  },
  {
    id: 'reach',
    ask: 'ask.intake.reach',
    input: 'contact',
    text: Reach,
    answered: (answers) => {
      const { phone, email } = read(answers);
      return phone !== undefined || email !== undefined;
    },
    store: (answers, value) => {
      const { phone: _phone, email: _email, ...rest } = answers;
      return { ...rest, ...(value as { phone: string } | { email: string }) };
    },
    clear: (answers) => {
      const { phone: _phone, email: _email, ...rest } = answers;
      return rest;
    },
  },
];

/** The category the customer chose, if it still exists. */
function categoryOf(answers: Answers, turn: Turn) {
  const { category } = read(answers);
  return category === undefined ? undefined : findCategory(turn.desk, category);
}

/** Whether the chosen category asks one of the extra fields. */
function asks(answers: Answers, turn: Turn, field: CategoryField): boolean {
  return fieldRequirement(categoryOf(answers, turn), field) !== undefined;
}

/** Today in the desk's time zone (YYYY-MM-DD): what "today" and "yesterday" mean to the customer. */
function today(turn: Turn): string {
  return dayIn(turn.now, turn.desk.desk.timezone);
}

/** The privacy notice: the desk's own or the catalogues', with the policy's link when there is one. */
function consentNotice(turn: Turn): string {
  const notice = turn.desk.privacy.notice?.[turn.locale] ?? say(turn, 'consent.notice');
  const policy = turn.desk.privacy.policyUrl;
  return policy === undefined ? notice : `${notice}\n\n${say(turn, 'consent.policy', { url: policy })}`;
}

function forgetContact(answers: Answers): Answers {
  const { reuse: _reuse, name: _name, phone: _phone, email: _email, ...rest } = answers;
  return rest;
}

/** Fields the summary card offers to edit, and the steps each edit asks again. */
const EDITABLE = ['kind', 'category', 'product', 'order', 'amount', 'purchaseDate', 'description', 'files', 'remedy', 'contact'] as const;
type Editable = (typeof EDITABLE)[number];

function stepById(id: string): FormStep | undefined {
  return INTAKE_STEPS.find((s) => s.id === id);
}

function intakeState(state: ConversationState, stepId: string, answers: Answers, trail: readonly string[]): ConversationState {
  return { ...state, flowId: INTAKE, flowVersion: VERSION, stepId, answers, trail };
}

/** Asks the next unanswered step, or shows the summary card when everything is answered. */
function advance(state: ConversationState, answers: Answers, turn: Turn, lead?: string): StepOutcome {
  const next = nextStep(INTAKE_STEPS, answers, turn);
  const trail = state.trail ?? [];
  if (next.step) {
    const ask = askStep(next.step, next.answers, turn, { back: trail.length > 0, ...(lead ? { lead } : {}) });
    return reply(intakeState(state, next.step.id, next.answers, trail), [ask]);
  }
  const card = summaryCard(next.answers, turn);
  return reply(intakeState(state, CONFIRM, next.answers, trail), lead ? [{ text: lead, expects: 'none' }, card] : [card]);
}

/** What the customer sent before the intake started, kept so nothing is lost. */
export interface IntakePrefill {
  /** A first message long enough to be a description; the description step offers it. */
  readonly firstMessage?: string;
  readonly files?: readonly Attachment[];
}

/**
 * Starts a report: the greeting, then the first question. The customer's last contact details
 * (from their newest claim) are offered again, so it needs their claims first.
 */
export function startIntake(state: ConversationState, turn: Turn, prefill: IntakePrefill = {}): StepOutcome {
  const lookup = customerClaims(turn);
  if ('need' in lookup) return lookup.need;
  const newest: Claim | undefined = lookup.found[0];
  const displayName = turn.input.from.displayName?.trim();
  // a customer who agreed to this version of the notice in an earlier report is not asked again
  const consent = priorConsent(lookup.found, noticeVersion(turn.desk));
  const answers: Answers = {
    draftId: turn.input.updateId,
    ...(consent ? { consent } : {}),
    previous: newest ? { name: newest.contact.name, ...(newest.contact.phone ? { phone: newest.contact.phone } : {}), ...(newest.contact.email ? { email: newest.contact.email } : {}) } : null,
    ...(displayName ? { displayName: displayName.slice(0, NAME_MAX) } : {}),
    ...(prefill.firstMessage ? { firstMessage: prefill.firstMessage } : {}),
    ...(prefill.files && prefill.files.length > 0 ? { files: prefill.files.slice(0, FILES_MAX) } : {}),
  };
  const greeting = say(turn, 'intake.greeting', { desk: turn.desk.desk.name[turn.locale] });
  return advance({ ...state, trail: [] }, answers, turn, greeting);
}

/** Files sent at a step that does not ask for them: kept for the report, with a note. */
function keepFiles(answers: Answers, files: readonly Attachment[], turn: Turn): { answers: Answers; note: string } {
  const current = read(answers).files ?? [];
  const room = FILES_MAX - current.length;
  const kept = files.slice(0, Math.max(0, room));
  const next = { ...answers, files: [...current, ...kept] };
  const note = kept.length < files.length ? say(turn, 'files.too_many', { max: FILES_MAX }) : say(turn, 'files.kept', { count: current.length + kept.length });
  return { answers: next, note };
}

function refusalText(turn: Turn, refusal: Refusal): string {
  return say(turn, refusal.key, refusal.params);
}

function reaskWith(state: ConversationState, turn: Turn, lead: string): StepOutcome {
  return advance(state, state.answers, turn, lead);
}

function handleStep(state: ConversationState, step: FormStep, turn: Turn): StepOutcome {
  const answers = state.answers;
  const content = turn.input.content;
  const trail = state.trail ?? [];
  // the consent is not an answer "back" takes back: going back from the files asks the description again
  const answered = step.id === 'consent' ? trail : [...trail.filter((id) => id !== step.id), step.id];
  const accepted = (next: Answers, lead?: string) => advance({ ...state, trail: answered }, next, turn, lead);

  if (turn.choice !== undefined) {
    if (turn.choice === 'back') return back(state, turn);
    if (turn.choice === 'skip' && isOptional(step, answers, turn)) return accepted(storeValue(step, answers, null, turn));
    if (step.id === 'consent' && turn.choice === 'decline') return declined(state, turn);
    if (step.id === 'purchaseDate' && turn.choice === 'other') return reaskWith(state, turn, say(turn, 'intake.purchase_date.type'));
    const result = acceptChoice(step, answers, turn.choice, turn);
    if (!result.ok) return reaskWith(state, turn, refusalText(turn, result.refusal));
    // "remove files" keeps the customer at the files step
    if (step.id === 'files' && turn.choice === 'clear') return advance(state, result.answers, turn, say(turn, 'files.cleared'));
    return accepted(result.answers);
  }

  switch (content.type) {
    case 'files': {
      const kept = keepFiles(answers, content.attachments, turn);
      if (step.id === 'description' && content.caption !== undefined) {
        const result = acceptText(step, kept.answers, content.caption, turn);
        if (result.ok) return accepted(result.answers, kept.note);
      }
      return advance(state, kept.answers, turn, kept.note);
    }
    case 'text': {
      if (step.id === 'files') return addToDescription(state, content.text, turn);
      // consent is given with the button only, never read from typed text
      if (step.id === 'consent') return reaskWith(state, turn, say(turn, 'consent.use_buttons'));
      const result = acceptText(step, answers, content.text, turn);
      if (!result.ok) return reaskWith(state, turn, refusalText(turn, result.refusal));
      return accepted(result.answers);
    }
    case 'contact': {
      const phone = normalisePhone(content.phone);
      if (step.id === 'reach') {
        if (!phone) return reaskWith(state, turn, say(turn, 'invalid.phone'));
        return accepted(storeValue(step, answers, { phone }, turn));
      }
      if (step.id === 'name' && content.name && phone) {
        const name = content.name.trim().slice(0, NAME_MAX);
        const { email: _email, ...rest } = answers;
        if (name !== '') return accepted({ ...rest, name, phone });
      }
      return reaskWith(state, turn, say(turn, 'invalid.unexpected_contact'));
    }
    case 'unsupported':
      if (content.what === 'file_too_large') return reaskWith(state, turn, say(turn, 'invalid.file_too_large', { max: FILE_SIZE_LIMIT_MB }));
      return reaskWith(state, turn, say(turn, step.input === 'files' ? 'invalid.unsupported_file' : 'invalid.unsupported'));
    case 'choice':
    case 'idle_timeout':
      return reaskWith(state, turn, say(turn, 'invalid.stale_button'));
  }
}

/**
 * "I do not agree" to the privacy notice: the report ends politely and its conversation is deleted
 * once the answer is sent (nothing of it is kept; no claim is registered).
 */
function declined(state: ConversationState, turn: Turn): StepOutcome {
  return { kind: 'reply', state: between(state), replies: [info(turn, 'consent.declined')], forget: true };
}

/** Text sent at the files step is added to the description rather than lost. */
function addToDescription(state: ConversationState, text: string, turn: Turn): StepOutcome {
  const current = read(state.answers).description ?? '';
  const addition = text.trim();
  if (addition === '') return reaskWith(state, turn, say(turn, 'invalid.empty'));
  const combined = current === '' ? addition : `${current}\n${addition}`;
  if (combined.length > DESCRIPTION_MAX) return reaskWith(state, turn, say(turn, 'invalid.description.long', { max: DESCRIPTION_MAX }));
  return advance(state, { ...state.answers, description: combined }, turn, say(turn, 'files.text_added'));
}

/** "Back": forget the last answered step and ask it again. */
function back(state: ConversationState, turn: Turn): StepOutcome {
  const trail = [...(state.trail ?? [])];
  const last = trail.pop();
  const step = last === undefined ? undefined : stepById(last);
  if (!step) return reaskWith(state, turn, say(turn, 'intake.nothing_back'));
  return advance({ ...state, trail }, clearStep(step, state.answers), turn);
}

function editableFields(answers: Answers, turn: Turn): Editable[] {
  return EDITABLE.filter((field) => {
    if (field === 'kind') return kindsOffered(turn.desk).length > 1;
    if (field === 'category') return categoryChoices(answers, turn).length > 1;
    if (field === 'amount' || field === 'purchaseDate') return asks(answers, turn, field);
    return true;
  });
}

/** The summary card: everything the customer said, with submit, edit and cancel. */
function summaryCard(answers: Answers, turn: Turn): Outbound {
  const a = read(answers);
  const none = say(turn, 'summary.none');
  const category = a.category ? findCategory(turn.desk, a.category) : undefined;
  const lines = [
    say(turn, 'summary.title'),
    '',
    say(turn, 'summary.kind', { value: a.kind ? say(turn, `detail.kind.${a.kind}`) : none }),
    say(turn, 'summary.category', { value: category ? category.label[turn.locale] : none }),
    say(turn, 'summary.product', { value: a.product ?? none }),
    say(turn, 'summary.order', { value: a.order ?? none }),
    ...(asks(answers, turn, 'amount') ? [say(turn, 'summary.amount', { value: a.amount ? formatAmount(a.amount, turn.locale) : none })] : []),
    ...(asks(answers, turn, 'purchaseDate') ? [say(turn, 'summary.purchaseDate', { value: a.purchaseDate ? formatDay(a.purchaseDate, turn.locale) : none })] : []),
    say(turn, 'summary.description', { value: a.description ?? none }),
    say(turn, 'summary.files', { count: a.files?.length ?? 0 }),
    say(turn, 'summary.remedy', { value: a.remedy ? say(turn, `remedy.${a.remedy}`) : none }),
    say(turn, 'summary.contact', { value: a.name ? formatContact({ name: a.name, phone: a.phone, email: a.email }) : none }),
  ];
  const choices: ChoiceDef[] = [
    { value: 'submit', label: say(turn, 'button.submit') },
    ...editableFields(answers, turn).map((field) => ({ value: `edit:${field}`, label: say(turn, `button.edit.${field}`) })),
    { value: 'cancel', label: say(turn, 'button.cancel') },
  ];
  return message(turn, lines.join('\n'), 'choice', choices);
}

function handleConfirm(state: ConversationState, turn: Turn): StepOutcome {
  const choice = turn.choice;
  if (choice === undefined) {
    const content = turn.input.content;
    if (content.type === 'files') {
      const kept = keepFiles(state.answers, content.attachments, turn);
      return advance(state, kept.answers, turn, kept.note);
    }
    return reaskWith(state, turn, say(turn, 'intake.use_buttons'));
  }
  if (choice === 'submit') return submit(state, turn);
  if (choice === 'cancel') return reply(between(state), [info(turn, 'cancel.done')]);
  if (choice === 'back') return back(state, turn);
  const field = /^edit:(\w+)$/.exec(choice)?.[1] as Editable | undefined;
  if (!field || !editableFields(state.answers, turn).includes(field)) return reaskWith(state, turn, say(turn, 'invalid.stale_button'));
  return advance(state, forgetForEdit(field, state.answers), turn);
}

function forgetForEdit(field: Editable, answers: Answers): Answers {
  if (field === 'contact') return forgetContact(answers);
  const step = stepById(field);
  return step ? clearStep(step, answers) : answers;
}

function draftOf(answers: Answers, turn: Turn): ClaimDraftInput {
  const a = read(answers);
  const from = turn.input.from;
  return {
    kind: a.kind ?? 'claim',
    category: a.category ?? '',
    concerns: {
      ...(a.product ? { product: a.product } : {}),
      ...(a.order ? { orderOrBatch: a.order } : {}),
      // only what the chosen category asks (a field answered under a category changed since is left out)
      ...(a.amount && asks(answers, turn, 'amount') ? { amount: a.amount } : {}),
      ...(a.purchaseDate && asks(answers, turn, 'purchaseDate') ? { purchaseDate: a.purchaseDate } : {}),
    },
    description: a.description ?? '',
    attachments: a.files ?? [],
    desiredRemedy: a.remedy ?? 'other',
    contact: { name: a.name ?? '', ...(a.phone ? { phone: a.phone } : {}), ...(a.email ? { email: a.email } : {}) },
    customer: customerOf(from),
    conversation: referenceOf(from),
    locale: turn.locale,
    ...(a.consent ? { consent: a.consent } : {}),
  };
}

function submit(state: ConversationState, turn: Turn): StepOutcome {
  const { draftId } = read(state.answers);
  const result = resultOf(turn, 'register', 'registered');
  if (!result) return { kind: 'need', request: { id: 'register', type: 'register', draft: draftOf(state.answers, turn), draftId } };
  if (result.type === 'refused') {
    // the desk's categories changed while the customer was typing: choose again
    if (result.code === 'UNKNOWN_CATEGORY') return advance(state, forgetForEdit('category', state.answers), turn, say(turn, 'intake.category_gone'));
    return reaskWith(state, turn, say(turn, 'intake.submit_failed'));
  }
  return reply(between(state), [registeredMessage(result.claim, turn)]);
}

/** The acknowledgement: the number, what happens next and by when. */
export function registeredMessage(claim: Claim, turn: Turn): Outbound {
  const department = turn.desk.departments.find((d) => d.id === claim.department);
  const values = {
    number: claim.number,
    date: formatDateTime(claim.createdAt, turn.locale, turn.desk.desk.timezone),
    department: department ? department.name[turn.locale] : claim.department,
    due: formatDateTime(claim.sla.firstResponseDueAt, turn.locale, turn.desk.desk.timezone),
  };
  // the desk's own acknowledgement (#25) when it set one, the catalogues' otherwise
  const own = turn.desk.customerTexts.acknowledgement?.[turn.locale];
  const text = own === undefined ? say(turn, 'registered', values) : fillTemplate<CustomerTextPlaceholder<'acknowledgement'>>(own, { ...values, essence: essenceOf(claim.description) });
  return {
    text,
    expects: 'none',
    choices: [
      { id: globalChoiceId(`s:${claim.number}`), label: say(turn, 'button.status_of', { number: claim.number }) },
      { id: globalChoiceId('new'), label: say(turn, 'button.new_report') },
    ],
  };
}

/** The intake dialog: from the first question to the registered claim. */
export const intakeDialog: Dialog = {
  id: INTAKE,
  version: VERSION,
  unfinishedMatters: true,
  handle(state, turn) {
    if (!IntakeAnswers.safeParse(state.answers).success) return prepend([info(turn, 'flow.updated')], startIntake(between(state), turn));
    if (state.stepId === CONFIRM) return handleConfirm(state, turn);
    const step = state.stepId === null ? undefined : stepById(state.stepId);
    if (!step || isAnswered(step, state.answers)) return advance(state, state.answers, turn);
    return handleStep(state, step, turn);
  },
  reask(state, turn) {
    if (!IntakeAnswers.safeParse(state.answers).success) return startIntake(between(state), turn);
    return advance(state, state.answers, turn);
  },
  filesTarget(state) {
    const answers = IntakeAnswers.safeParse(state.answers);
    return state.stepId === 'files' && answers.success ? `report:${answers.data.draftId}` : undefined;
  },
};

/** The engine's /back command. */
export { back as intakeBack };

/** Whether a text the customer sent before the intake could serve as its description (it is offered, not taken). */
export function usableAsDescription(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length >= DESCRIPTION_MIN && trimmed.length <= DESCRIPTION_MAX;
}
