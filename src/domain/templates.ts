import { z } from 'zod';

/**
 * The decision outcomes and the reply templates' placeholders: what the desk config (desk.ts)
 * checks its templates against. No imports from the rest of the domain, so the desk config and
 * the decision (decision.ts) can both read it.
 */

/** The outcomes of a decision. */
export const DECISION_OUTCOMES = ['accepted', 'partially_accepted', 'rejected'] as const;
export const DecisionOutcome = z.enum(DECISION_OUTCOMES);
export type DecisionOutcome = z.infer<typeof DecisionOutcome>;

/**
 * The placeholders a reply template may use: the claim's number and registration date, the essence
 * (a short form of the description), the decision in words, the remedy staff chose, the amount,
 * the measures taken (empty until the investigation records them) and the signer (name and
 * position of who decided).
 */
export const TEMPLATE_PLACEHOLDERS = ['number', 'date', 'essence', 'decision', 'remedy', 'amount', 'measures', 'signer'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * The `{names}` in a text that are not among the `known` placeholders (the reply templates' by
 * default; the customer texts of customer-templates.ts pass theirs): a desk-config error.
 * @example unknownPlaceholders('Claim {number}, {remedi}') // ['remedi']
 */
export function unknownPlaceholders(text: string, known: readonly string[] = TEMPLATE_PLACEHOLDERS): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))].filter((name) => !known.includes(name));
}

/**
 * A template's text with the placeholders that have values filled in; the others stay as typed
 * (filled in later, when the decision is known).
 * @example fillTemplate('Claim {number}: {remedy}', { number: '2026-000123' }) // 'Claim 2026-000123: {remedy}'
 */
export function fillTemplate<Name extends string = TemplatePlaceholder>(text: string, values: Partial<Readonly<Record<Name, string>>>): string {
  return text.replace(PLACEHOLDER, (match, name: string) => {
    const value = (values as Readonly<Record<string, string | undefined>>)[name];
    return value ?? match;
  });
}
