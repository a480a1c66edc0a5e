import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ClaimsWorkPolicy } from './assessment.js';
import { refusal, type Refusal } from './errors.js';
import type { Actor, Claim, ClaimEvent } from './lifecycle.js';

/**
 * The investigation record of a claim (DOMAIN.md stage 5, issue #24): the facts found, the root
 * cause by 5 Whys, its cause category (an Ishikawa "M" from the desk config) and a one-line
 * summary. Editable while the claim is under investigation; every edit is a history event naming
 * what changed. Pure.
 */

/** The limits of the record's texts (the facts fit one Slack text input). */
export const FACTS_MAX = 3000;
export const WHY_MAX = 500;
export const WHYS_MAX = 5;
export const ROOT_CAUSE_MAX = 200;

/** One step of the 5 Whys: the question and its answer. */
export const WhyPair = z
  .object({
    why: z.string().trim().min(1, 'expected the question').max(WHY_MAX),
    because: z.string().trim().min(1, 'expected the answer').max(WHY_MAX),
  })
  .strict();
export type WhyPair = z.infer<typeof WhyPair>;

/**
 * What staff record of an investigation: the whole record as the form holds it (an empty text is
 * "not recorded"). The cause category must be one of the desk's (checked by the plan).
 * @example InvestigationInput.parse({ facts: 'Batch 12 …', whys: [{ why: 'Why did it leak?', because: 'The seal was cut' }], causeCategory: 'machines', rootCause: 'Worn die' })
 */
export const InvestigationInput = z
  .object({
    facts: z.string().trim().max(FACTS_MAX).optional(),
    whys: z.array(WhyPair).max(WHYS_MAX, `expected at most ${WHYS_MAX} why/because pairs`).default([]),
    causeCategory: z.string().trim().max(40).optional(),
    rootCause: z
      .string()
      .trim()
      .max(ROOT_CAUSE_MAX)
      .refine((text) => !/[\r\n]/.test(text), 'expected one line')
      .optional(),
  })
  .strict();
export type InvestigationInput = z.infer<typeof InvestigationInput>;
export type InvestigationInputRaw = z.input<typeof InvestigationInput>;

/** The parts of the record, as `investigation_recorded` events name them. */
export const INVESTIGATION_FIELDS = ['facts', 'whys', 'causeCategory', 'rootCause'] as const;
export type InvestigationField = (typeof INVESTIGATION_FIELDS)[number];

/** A claim's investigation record, with who changed it last and when. */
export interface Investigation {
  readonly facts?: string;
  readonly whys: readonly WhyPair[];
  readonly causeCategory?: string;
  readonly rootCause?: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/** What an investigation edit changes on a claim. */
export interface InvestigationPlan {
  readonly set: Pick<Claim, 'investigation'>;
  readonly events: readonly ClaimEvent[];
}

const filled = (text: string | undefined) => (text === undefined || text === '' ? undefined : text);
const sameWhys = (a: readonly WhyPair[], b: readonly WhyPair[]) => a.length === b.length && a.every((pair, index) => pair.why === b[index]?.why && pair.because === b[index]?.because);

/**
 * Plans an edit of the investigation record: only while the claim is `investigating`; the cause
 * category must be one of the policy's. The event names the parts that changed (with the new cause
 * category and summary, never the facts' text); the same record again plans nothing (`undefined`).
 * @example planInvestigation(claim, { whys: [], rootCause: 'Worn die' }, { kind: 'staff', staffId: 'ivan' }, policy, now)
 */
export function planInvestigation(claim: Claim, input: InvestigationInput, actor: Extract<Actor, { kind: 'staff' }>, policy: Pick<ClaimsWorkPolicy, 'causeCategories'>, now: Date): InvestigationPlan | Refusal | undefined {
  if (claim.status !== 'investigating') {
    return refusal('INVALID_TRANSITION', `cannot record an investigation of a claim that is ${claim.status}`, { number: claim.number, from: claim.status, action: 'record_investigation' });
  }
  const causeCategory = filled(input.causeCategory);
  if (causeCategory !== undefined && !policy.causeCategories.includes(causeCategory)) {
    return refusal('INVALID_CLAIM', `expected a cause category of the desk (${policy.causeCategories.join(', ')})`, { number: claim.number });
  }
  const next = { facts: filled(input.facts), whys: input.whys, causeCategory, rootCause: filled(input.rootCause) };
  const before = claim.investigation;
  const changed = INVESTIGATION_FIELDS.filter((field) => (field === 'whys' ? !sameWhys(before?.whys ?? [], next.whys) : before?.[field] !== next[field]));
  if (changed.length === 0) return undefined;
  const record: Investigation = {
    ...(next.facts !== undefined ? { facts: next.facts } : {}),
    whys: next.whys,
    ...(next.causeCategory !== undefined ? { causeCategory: next.causeCategory } : {}),
    ...(next.rootCause !== undefined ? { rootCause: next.rootCause } : {}),
    updatedAt: now,
    updatedBy: actor.staffId,
  };
  const event: ClaimEvent = {
    id: randomUUID(),
    at: now,
    actor,
    type: 'investigation_recorded',
    changed,
    notifyCustomer: false,
    ...(changed.includes('causeCategory') && next.causeCategory !== undefined ? { causeCategory: next.causeCategory } : {}),
    ...(changed.includes('rootCause') && next.rootCause !== undefined ? { note: next.rootCause } : {}),
  };
  return { set: { investigation: record }, events: [event] };
}
