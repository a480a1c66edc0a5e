import { z } from 'zod';
import { LocalizedText } from './locale.js';
import { unknownPlaceholders } from './templates.js';

/**
 * The desk's own texts for two messages to the customer (#25): the acknowledgement (the claim is
 * registered, its number, what happens next) and a question staff ask. Each is optional; without
 * it the catalogues' text is used. Their placeholders are checked when the config is read, as the
 * reply templates' are (templates.ts). No imports from the rest of the domain, so desk.ts reads it.
 */

/**
 * The placeholders each customer text may use. Acknowledgement: the claim's number, its
 * registration date and time, the essence (a short form of the description), the department that
 * reviews it, and when the first answer is due. Question: the number, the registration date, the
 * essence and the question staff wrote.
 */
export const CUSTOMER_TEXT_PLACEHOLDERS = {
  acknowledgement: ['number', 'date', 'essence', 'department', 'due'],
  question: ['number', 'date', 'essence', 'question'],
} as const;
export type CustomerTextId = keyof typeof CUSTOMER_TEXT_PLACEHOLDERS;
export type CustomerTextPlaceholder<Id extends CustomerTextId> = (typeof CUSTOMER_TEXT_PLACEHOLDERS)[Id][number];

/** The desk config's `customerTexts`: ru/en texts replacing the catalogues' acknowledgement and question notice. */
export const CustomerTexts = z
  .object({
    acknowledgement: LocalizedText.optional(),
    question: LocalizedText.optional(),
  })
  .strict()
  .superRefine((texts, ctx) => {
    for (const id of Object.keys(CUSTOMER_TEXT_PLACEHOLDERS) as CustomerTextId[]) {
      const text = texts[id];
      if (!text) continue;
      const known: readonly string[] = CUSTOMER_TEXT_PLACEHOLDERS[id];
      for (const locale of ['ru', 'en'] as const) {
        const unknown = unknownPlaceholders(text[locale], known);
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            path: [id, locale],
            message: `template "${id}" uses an unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; expected one of ${known.map((name) => `{${name}}`).join(', ')}`,
          });
        }
      }
    }
  });
export type CustomerTexts = z.infer<typeof CustomerTexts>;
