import { z } from 'zod';
import { ClaimKind, Severity } from './desk.js';
import { Contact } from './contact.js';
import { Locale } from './locale.js';
import { cleanLine } from './text.js';
import { Money } from './money.js';
import { Consent } from './consent.js';

/**
 * The channels a customer can reach the desk through: the messengers, and the ways staff register
 * a claim received outside them (#25: by phone, e-mail, letter or in person — see
 * src/domain/staff-intake.ts).
 */
export const CHANNELS = ['telegram', 'slack', 'web', 'phone', 'email', 'letter', 'in_person'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 4000;

/** What the customer asks for. */
export const REMEDIES = ['repair', 'replacement', 'refund', 'discount', 'other'] as const;
export const Remedy = z.enum(REMEDIES);
export type Remedy = z.infer<typeof Remedy>;

/** Who the customer is in their channel. */
export const CustomerIdentity = z
  .object({
    channel: Channel,
    /** The channel's user id (Telegram user id, Slack user id, web visitor id). */
    userId: z.string().min(1).max(128),
    /** Slack workspace, when the channel is Slack. */
    teamId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type CustomerIdentity = z.infer<typeof CustomerIdentity>;

/**
 * Everything needed to message the customer later without them writing first
 * (a conversation reference, as Bot Framework calls it). Jobs carry only the claim id and read this.
 */
export const ConversationReference = z
  .object({
    channel: Channel,
    chatId: z.string().min(1).max(128),
    teamId: z.string().min(1).max(64).optional(),
    threadId: z.string().min(1).max(128).optional(),
  })
  .strict();
export type ConversationReference = z.infer<typeof ConversationReference>;

/** A file the customer sent, kept as the channel's reference (never downloaded into the database). */
export const Attachment = z
  .object({
    channel: Channel,
    kind: z.enum(['photo', 'document', 'video', 'audio', 'other']),
    fileId: z.string().min(1).max(512),
    fileName: z.string().max(255).optional(),
    mimeType: z.string().max(127).optional(),
    sizeBytes: z.number().int().nonnegative().optional(),
  })
  .strict();
export type Attachment = z.infer<typeof Attachment>;

/**
 * A file name as the customer's channel gave it, made safe to keep and show: no folders, no
 * control characters, at most 255 characters; undefined when nothing usable is left.
 * @example safeFileName('../../etc/passwd') // 'passwd'
 */
export function safeFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = cleanLine(base).trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? undefined : clean;
}

/** Money a claim concerns (what the customer paid or claims): hundredths and the currency, as a decision's amount. */
export const Amount = Money;
export type Amount = Money;

/** What the claim concerns; every field is optional. */
export const Concerns = z
  .object({
    product: z.string().trim().min(1).max(200).optional(),
    orderOrBatch: z.string().trim().min(1).max(100).optional(),
    amount: Amount.optional(),
    purchaseDate: z.iso.date('expected a date as YYYY-MM-DD').optional(),
  })
  .strict();
export type Concerns = z.infer<typeof Concerns>;

/**
 * What a conversation submits to register a claim. The registry adds the number, timestamps,
 * status, SLA due times and history.
 */
export const ClaimDraft = z
  .object({
    kind: ClaimKind,
    category: z.string().min(1),
    concerns: Concerns.default({}),
    description: z
      .string()
      .trim()
      .min(DESCRIPTION_MIN, `expected a description of at least ${DESCRIPTION_MIN} characters`)
      .max(DESCRIPTION_MAX, `expected a description of at most ${DESCRIPTION_MAX} characters`),
    attachments: z.array(Attachment).max(20, 'expected at most 20 files').default([]),
    desiredRemedy: Remedy,
    contact: Contact,
    customer: CustomerIdentity,
    conversation: ConversationReference,
    locale: Locale,
    severity: Severity.default('normal'),
    /** The customer's consent to the processing of their personal data (#26): the notice version and when they agreed. */
    consent: Consent.optional(),
    /** The staff member who registered a claim received by phone, e-mail, letter or in person (#25). */
    registeredBy: z.string().min(1).max(128).optional(),
  })
  .strict();
export type ClaimDraft = z.infer<typeof ClaimDraft>;
export type ClaimDraftInput = z.input<typeof ClaimDraft>;
