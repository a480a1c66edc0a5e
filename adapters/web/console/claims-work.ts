import { derivedWarranty, claimsWorkPolicy, nextStep } from '../../../src/domain/assessment.js';
import { SEVERITIES, type DeskConfig } from '../../../src/domain/desk.js';
import type { Claim } from '../../../src/domain/lifecycle.js';
import type { Locale } from '../../../src/domain/locale.js';
import { labels } from '../../staff-text.js';
import { investigationFilesView } from './investigation-files-api.js';

/**
 * The claim page's part of the claims work (#24): the assessment and the investigation record as
 * JSON (`null` when not recorded), the warranty the dates say (the assessment form's default) and
 * the next step the assessment points to; and the desk's vocabulary for their forms.
 * @example { ...claimView(…), ...claimsWorkView(desk, claim) }
 */
export function claimsWorkView(desk: DeskConfig, claim: Claim) {
  const { assessment, investigation } = claim;
  return {
    assessment: assessment
      ? {
          customer: assessment.customer,
          warranty: assessment.warranty,
          warrantyDerived: assessment.warrantyDerived,
          warrantyReason: assessment.warrantyReason ?? null,
          justified: assessment.justified,
          severity: assessment.severity,
          at: assessment.at,
          by: { id: assessment.by, name: labels.staffName(desk, assessment.by) },
        }
      : null,
    warrantyDerived: derivedWarranty(claim, claimsWorkPolicy(desk)),
    investigation: investigation
      ? {
          facts: investigation.facts ?? null,
          whys: investigation.whys,
          causeCategory: investigation.causeCategory ?? null,
          rootCause: investigation.rootCause ?? null,
          updatedAt: investigation.updatedAt,
          updatedBy: { id: investigation.updatedBy, name: labels.staffName(desk, investigation.updatedBy) },
        }
      : null,
    nextStep: nextStep(claim) ?? null,
    investigationFiles: investigationFilesView(desk, claim),
  };
}

/** The severities and the desk's cause categories in a language, for the console's forms. */
export function claimsWorkVocabulary(desk: DeskConfig, locale: Locale) {
  return {
    severities: SEVERITIES.map((severity) => ({ id: severity })),
    causes: desk.causeCategories.map((cause) => ({ id: cause.id, label: cause.label[locale] })),
  };
}
