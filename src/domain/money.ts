import { z } from 'zod';

/** The largest amount a claim or a decision may carry, in hundredths (ten billion units of the currency). */
export const AMOUNT_MAX_MINOR = 1_000_000_000_000;

/**
 * Money: an integer number of hundredths of the currency unit (kopecks, cents) and the ISO 4217
 * code. Integers, not a float of units: exact (no 0.1 + 0.2), and comparable and summable in a
 * database query. What a decision grants and what a customer says they paid have this one shape.
 * @example Money.parse({ minor: 129990, currency: 'RUB' }) // 1 299,90 ₽
 */
export const Money = z
  .object({
    minor: z.number().int('expected whole hundredths').positive('expected an amount above zero').max(AMOUNT_MAX_MINOR, 'expected a smaller amount'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as RUB'),
  })
  .strict();
export type Money = z.infer<typeof Money>;
