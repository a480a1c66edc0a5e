import type { DeskConfig } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { t } from '../../../src/i18n/index.js';
import { decisionSummary, labels } from '../../staff-text.js';

/**
 * The claim page's part of the decision's workflow (#25): the draft decision waiting for a head's
 * approval (`null` when none) with why it waits and the text the customer will receive, and the
 * remedy's fulfilment (`null` when the decision has none to carry out).
 * @example { ...claimView(…), ...decisionWorkflowView(desk, 'en', claim) }
 */
export function decisionWorkflowView(desk: DeskConfig, locale: Locale, claim: Claim) {
  const ctx = { desk, locale };
  const pending = claim.pendingDecision;
  const fulfilment = claim.fulfilment;
  return {
    pendingDecision: pending
      ? {
          id: pending.id,
          by: { id: pending.by, name: labels.staffName(desk, pending.by) },
          at: pending.at,
          summary: decisionSummary(ctx, pending.decision),
          reasons: pending.reasons.map((reason) => t(locale, `staff.approval.reason.${reason}`)),
          text: pending.decision.responseText,
          fulfilmentDays: pending.fulfilmentDays ?? null,
        }
      : null,
    fulfilment: fulfilment ? { dueAt: fulfilment.dueAt, doneAt: fulfilment.doneAt ?? null, doneBy: fulfilment.doneBy ? { id: fulfilment.doneBy, name: labels.staffName(desk, fulfilment.doneBy) } : null } : null,
  };
}
