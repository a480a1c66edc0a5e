import type { Contact } from './contact.js';
import type { StaffMember } from './desk.js';
import type { Claim } from './lifecycle.js';
import { mayIn } from './staff.js';

/** The character masked parts are shown with. */
export const MASK = '•••';

/**
 * A phone number masked for someone without the right to see it: the country code and the last
 * four digits stay.
 * @example maskPhone('+79123454567') // '+7 ••• ••• 45-67'
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const country = digits.slice(0, Math.max(1, digits.length - 10));
  const last = digits.slice(-4).padStart(4, '•');
  return `+${country} ${MASK} ${MASK} ${last.slice(0, 2)}-${last.slice(2)}`;
}

/**
 * An e-mail address masked: the first character of the local part and the domain stay.
 * @example maskEmail('anna.petrova@example.com') // 'a•••@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return MASK;
  return `${email.slice(0, 1)}${MASK}${email.slice(at)}`;
}

/**
 * A name masked: its first letter only.
 * @example maskName('Анна Петрова') // 'А•••'
 */
export function maskName(name: string): string {
  // the first grapheme, so a letter with a combining mark or an emoji stays whole
  const first = new Intl.Segmenter().segment(name.trim())[Symbol.iterator]().next().value?.segment;
  return first === undefined ? MASK : `${first}${MASK}`;
}

/** A contact with every part masked. */
export function maskContact(contact: Contact): Contact {
  return {
    name: maskName(contact.name),
    ...(contact.phone !== undefined ? { phone: maskPhone(contact.phone) } : {}),
    ...(contact.email !== undefined ? { email: maskEmail(contact.email) } : {}),
  };
}

/** Whether a staff member may see a claim's personal data (name, contact, files): `view_personal_data` in its department. */
export function seesPersonalData(member: StaffMember | undefined, claim: Pick<Claim, 'department'>): boolean {
  return mayIn(member, 'view_personal_data', claim.department);
}

/** A claim as one viewer may see it. */
export interface ClaimForViewer {
  /** The claim; when `masked`, its contact is masked and it carries no files (neither sent with it nor added later). */
  readonly claim: Claim;
  /** Whether the personal data was masked for this viewer. */
  readonly masked: boolean;
  /** How many files were hidden (0 when not masked). */
  readonly hiddenFiles: number;
}

/**
 * A claim's personal data masked for a viewer without `view_personal_data` in its department:
 * the name and contact masked (`A•••`, `+7 ••• ••• 45-67`, `a•••@example.com`), the files
 * hidden (the claim's and those the customer added later). A viewer with the right gets the claim
 * as it is. The description and what the customer added as text stay: they are what the claim is about.
 * @example claimForViewer(operatorOfLogistics, supportClaim).claim.contact.phone // '+7 ••• ••• 45-67'
 */
export function claimForViewer(member: StaffMember | undefined, claim: Claim): ClaimForViewer {
  if (seesPersonalData(member, claim)) return { claim, masked: false, hiddenFiles: 0 };
  return maskClaim(claim);
}

/** A claim with its personal data masked and its files hidden (for whoever is not known to have the right). */
export function maskClaim(claim: Claim): ClaimForViewer {
  let hiddenFiles = claim.attachments.length;
  const history = claim.history.map((event) => {
    if (!event.attachments) return event;
    hiddenFiles += event.attachments.length;
    const { attachments: _hidden, ...rest } = event;
    return rest;
  });
  return { claim: { ...claim, contact: maskContact(claim.contact), attachments: [], history }, masked: true, hiddenFiles };
}
