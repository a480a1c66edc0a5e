import { z } from 'zod';

/**
 * Normalises a phone number to `+<country><number>` (E.164). Spaces, dashes, dots and brackets
 * are dropped; a Russian trunk prefix (`8 912 …`, 11 digits) becomes `+7 912 …`. Returns
 * undefined when what remains is not 10–15 digits.
 * @example normalisePhone('8 (912) 345-67-89') // '+79123456789'
 */
export function normalisePhone(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return undefined;
  let digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+');
  if (!international && digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  if (!international && digits.length === 10 && digits.startsWith('9')) digits = `7${digits}`;
  if (digits.length < 10 || digits.length > 15 || digits.startsWith('0')) return undefined;
  return `+${digits}`;
}

/** A phone number, validated and normalised to E.164. */
export const Phone = z.string().transform((value, ctx) => {
  const phone = normalisePhone(value);
  if (!phone) {
    ctx.addIssue({ code: 'custom', message: 'expected a phone number with country code, e.g. +7 912 345-67-89' });
    return z.NEVER;
  }
  return phone;
});

/** An e-mail address, trimmed and lower-cased. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('expected an e-mail address such as name@example.com'))
  .transform((value) => value.toLowerCase());

/** How the desk can reach the customer outside the chat. */
export const Contact = z
  .object({
    name: z.string().trim().min(1, 'expected a name').max(200, 'expected a name of at most 200 characters'),
    phone: Phone.optional(),
    email: Email.optional(),
  })
  .strict()
  .refine((c) => c.phone !== undefined || c.email !== undefined, { message: 'expected a phone number or an e-mail address', path: ['phone'] });
export type Contact = z.infer<typeof Contact>;
