import { ACTION_KINDS, type ActionKind } from './domain/capa.js';
import type { Claim } from './domain/lifecycle.js';
import type { DeskConfig, ResponseTemplate, StaffMember } from './domain/desk.js';
import { DomainError } from './domain/errors.js';
import { essenceOf, fillTemplate, formatAmount, isAcceptance, type Decision, type TemplatePlaceholder } from './domain/decision.js';
import type { DecisionDraft } from './domain/staff-request.js';
import { staffById } from './domain/staff.js';
import type { Locale } from './domain/locale.js';
import { formatDateTime, t } from './i18n/index.js';

/**
 * The words of a decision as the customer reads them, in the claim's language: the values of the
 * reply templates' placeholders, the decision a staff request becomes (its reply filled in), and
 * the signer. One place for the Slack modal, the web console and the customer's notice.
 */

/**
 * Who signs a reply: the member's name and, when the desk config gives one, their position in the
 * customer's language ("Olga Smirnova, claims specialist").
 * @example signerOf(desk, 'olga', 'en') // 'Olga Smirnova, support operator'
 */
export function signerOf(desk: DeskConfig, staffId: string | undefined, locale: Locale): string | undefined {
  const member = staffId === undefined ? undefined : staffById(desk, staffId);
  if (!member) return undefined;
  return member.position ? `${member.name}, ${member.position[locale]}` : member.name;
}

/** The placeholders a claim fills by itself: number, registration date, essence. */
function claimValues(desk: DeskConfig, claim: Claim): Record<'number' | 'date' | 'essence', string> {
  return {
    number: claim.number,
    date: formatDateTime(claim.createdAt, claim.locale, desk.desk.timezone),
    essence: essenceOf(claim.description),
  };
}

/**
 * The measures taken, as the customer may read them: one sentence per kind of corrective action
 * linked to the claim (a correction, a corrective or a preventive action), never the actions' own
 * descriptions, which are internal. Empty when none is linked.
 * @example measuresText('en', ['corrective']) // 'We are removing the cause of the problem.'
 */
export function measuresText(locale: Locale, kinds: readonly ActionKind[]): string {
  return ACTION_KINDS.filter((kind) => kinds.includes(kind))
    .map((kind) => t(locale, `capa.measure.${kind}`))
    .join(' ');
}

/** The decision's own placeholders: the outcome in words, the remedy chosen (not the one asked for), the amount. */
function decisionValues(locale: Locale, decision: Decision): Record<'decision' | 'remedy' | 'amount', string> {
  const accepted = isAcceptance(decision) && decision.outcome !== 'rejected';
  return {
    decision: t(locale, `decision.outcome.${decision.outcome}`),
    remedy: accepted ? t(locale, `remedy.${decision.remedy}`).toLowerCase() : '',
    amount: accepted && decision.amount ? formatAmount(decision.amount, locale) : '',
  };
}

/**
 * A template's text for a claim before the decision is made (the Slack modal, the console form):
 * the claim's placeholders and the signer filled in, in the customer's language; `{decision}`,
 * `{remedy}`, `{amount}` and `{measures}` stay as they are and are filled in from the choices when the decision is
 * sent ({@link decisionOf}).
 */
export function templateDraft(desk: DeskConfig, claim: Claim, template: ResponseTemplate, signer: StaffMember | undefined): string {
  const signed = signerOf(desk, signer?.id, claim.locale);
  return fillTemplate(template.text[claim.locale], { ...claimValues(desk, claim), ...(signed ? { signer: signed } : {}) });
}

/**
 * The decision a staff request records: the amount in the desk's currency (a typed amount naming
 * another currency is refused with `INVALID_CLAIM`), and every placeholder left in the reply filled
 * in with the final values, in the customer's language. Who decided is set by the plan.
 * @example decisionOf(desk, claim, member, { outcome: 'accepted', remedy: 'refund', amount: { minor: 129990 }, responseText: 'Refund of {amount}.' })
 */
export function decisionOf(desk: DeskConfig, claim: Claim, member: StaffMember, draft: DecisionDraft, measures: readonly ActionKind[] = []): Decision {
  const currency = desk.desk.currency;
  let decision: Decision;
  if (draft.outcome === 'rejected') {
    decision = { outcome: 'rejected', reason: draft.reason, responseText: draft.responseText };
  } else {
    if (draft.amount?.currency !== undefined && draft.amount.currency !== currency) {
      throw new DomainError('INVALID_CLAIM', `expected an amount in ${currency}`, { field: 'decision.amount' });
    }
    decision = { outcome: draft.outcome, remedy: draft.remedy, responseText: draft.responseText, ...(draft.amount ? { amount: { minor: draft.amount.minor, currency } } : {}) };
  }
  const values: Partial<Record<TemplatePlaceholder, string>> = {
    ...claimValues(desk, claim),
    ...decisionValues(claim.locale, decision),
    measures: measuresText(claim.locale, measures),
    signer: signerOf(desk, member.id, claim.locale) ?? member.name,
  };
  return { ...decision, responseText: fillTemplate(decision.responseText, values).trim() };
}

/** The signature a decision's notice ends with, unless its text already names the signer; '' for decisions stored without who decided. */
export function decisionSignature(desk: DeskConfig, claim: Pick<Claim, 'locale'>, decision: Decision): string {
  const signer = signerOf(desk, decision.decidedBy, claim.locale);
  if (!signer || decision.responseText.includes(signer)) return '';
  return `\n\n${t(claim.locale, 'notice.signed', { signer })}`;
}
