import { z } from 'zod';

/**
 * The customer's consent to the processing of their personal data (#26, 152-ФЗ / GDPR): which
 * version of the desk's notice they agreed to and when. The dialog asks for it before the first
 * question that collects personal data; the claim keeps it. Pure.
 */
export const Consent = z
  .object({
    /** The notice version agreed to (`privacy.version` of the desk config, or the built-in notice's). */
    version: z.string().trim().min(1).max(40),
    /** When the customer pressed "I agree". */
    at: z.date(),
  })
  .strict();
export type Consent = z.infer<typeof Consent>;

/**
 * The consent a customer already gave to the notice version the desk asks for now, from their
 * claims (any order): the earliest agreement to that version, or undefined when they must be asked
 * (never agreed, or only to an older version).
 * @example priorConsent([{ consent: { version: '2026-01', at } }], '2026-01') // { version: '2026-01', at }
 */
export function priorConsent(claims: readonly { readonly consent?: Consent | undefined }[], version: string): Consent | undefined {
  let earliest: Consent | undefined;
  for (const claim of claims) {
    const consent = claim.consent;
    if (consent?.version !== version) continue;
    if (!earliest || consent.at.getTime() < earliest.at.getTime()) earliest = consent;
  }
  return earliest;
}
