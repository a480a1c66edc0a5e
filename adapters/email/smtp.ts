import nodemailer from 'nodemailer';
import type { Locale } from '../../src/domain/locale.js';
import { t } from '../../src/i18n/index.js';
import { fileBytesOf, RecipientUnreachableError } from '../../flows/runner.js';
import type { Outbound } from '../../flows/types.js';
import { escapeHtml } from '../web/pages.js';
import type { Logger } from '../../src/log.js';

/** Who an e-mail notice goes to, and what it is about (the subject and the footer name them). */
export interface EmailRecipient {
  readonly address: string;
  readonly locale: Locale;
  /** The claim's number. */
  readonly number: string;
  /** The desk's name in the customer's language. */
  readonly desk: string;
}

/** An e-mail ready to send: the subject, plain text and HTML, from one notice. */
export interface EmailNotice {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * A customer notice as an e-mail (#25): the same catalogue text as in the messengers, as plain
 * text and as HTML (escaped, paragraphs kept); offered choices (the survey's scores) become a
 * numbered list, since an e-mail has no buttons.
 * @example emailNotice({ address, locale: 'en', number: '2026-000001', desk: 'Claims desk' }, { text: 'Claim No. 2026-000001 is closed.', expects: 'none' })
 */
export function emailNotice(to: EmailRecipient, notice: Outbound): EmailNotice {
  const choices = (notice.choices ?? []).map((choice, index) => `${String(index + 1)}. ${choice.label}`);
  const footer = t(to.locale, 'email.footer', { desk: to.desk, number: to.number });
  const paragraphs = [notice.text, ...(choices.length > 0 ? [choices.join('\n')] : []), footer];
  const html = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\r?\n/g, '<br>\n')}</p>`).join('\n');
  return {
    subject: t(to.locale, 'email.subject', { desk: to.desk, number: to.number }),
    text: paragraphs.join('\n\n'),
    html: `<!doctype html>\n<html lang="${to.locale}"><head><meta charset="utf-8"></head><body>\n${html}\n</body></html>`,
  };
}

/** An e-mail that could not be sent now (retried by the job); its message holds codes only, never the server's text. */
export class EmailNotSentError extends Error {
  constructor(error: unknown) {
    const { responseCode, code } = typeof error === 'object' && error !== null ? (error as { responseCode?: unknown; code?: unknown }) : {};
    super(`the e-mail could not be sent now (${typeof code === 'string' ? code : 'error'}${typeof responseCode === 'number' ? ` ${String(responseCode)}` : ''})`);
    this.name = 'EmailNotSentError';
  }
}

/** Sends customers' notices by e-mail; what the notification job uses for claims without a messenger. */
export interface EmailSender {
  /** Sends one notice, its files attached (their bytes in `fileBytes`). Throws RecipientUnreachableError when the server refuses the address for good (5xx); any other error may pass. */
  send(to: EmailRecipient, notice: Outbound, fileBytes?: ReadonlyMap<string, Buffer>): Promise<void>;
  /** Closes the pooled connections (on stop). */
  close(): Promise<void>;
}

/**
 * Whether a nodemailer error is the server refusing this message or address for good: a 5xx reply
 * to the recipient (`EENVELOPE`) or to the message (`EMESSAGE`). A refused sign-in or connection is
 * the desk's own problem: retried, never blamed on the customer.
 */
export function isPermanentRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && (code === 'EENVELOPE' || code === 'EMESSAGE');
}

/**
 * Sends notices through an SMTP server (`SMTP_URL`, e.g. `smtps://user:pass@mail.example.com`)
 * from `from` (`SMTP_FROM`). A permanent refusal ({@link isPermanentRefusal}: no such mailbox) is a
 * RecipientUnreachableError, recorded and not retried; anything else (the server down, a 4xx
 * "try later", a refused sign-in) is an EmailNotSentError (codes only), and the notification job retries.
 * @example const mail = smtpSender('smtp://127.0.0.1:2525', 'Claims desk <desk@example.com>'); await mail.send(to, notice);
 */
export function smtpSender(url: string, from: string): EmailSender {
  const transport = nodemailer.createTransport(url);
  return {
    async send(to, notice, fileBytes) {
      const mail = emailNotice(to, notice);
      // a reply's files (#25) as attachments, named and typed as staff sent them
      const attachments = (notice.files ?? []).map((file) => ({ filename: file.name, contentType: file.mimeType, content: fileBytesOf({ ...(fileBytes ? { fileBytes } : {}) }, file) }));
      try {
        await transport.sendMail({ from, to: to.address, subject: mail.subject, text: mail.text, html: mail.html, ...(attachments.length > 0 ? { attachments } : {}) });
      } catch (error) {
        if (isPermanentRefusal(error)) throw new RecipientUnreachableError('the mail server refused the address or the message for good');
        // the server's own words may quote the address: the job's failure record keeps codes only
        throw new EmailNotSentError(error);
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}

/**
 * The desk's e-mail sender from its settings (`SMTP_URL` and `SMTP_FROM`, checked together at
 * start-up), or undefined when they are not set: customers without a messenger are then told by
 * staff. Says which in the log (the sender's address, never a password).
 * @example const email = smtpFromEnv(env, log);
 */
export function smtpFromEnv(env: { readonly SMTP_URL?: string | undefined; readonly SMTP_FROM?: string | undefined }, log: Pick<Logger, 'info'>): EmailSender | undefined {
  if (!env.SMTP_URL || !env.SMTP_FROM) {
    log.info('email', 'off: SMTP_URL is not set (customers without a messenger are told by staff)');
    return undefined;
  }
  log.info('email', 'customer notices by e-mail', { from: env.SMTP_FROM });
  return smtpSender(env.SMTP_URL, env.SMTP_FROM);
}
