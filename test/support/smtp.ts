/**
 * A real SMTP server on this machine for the e-mail notices' tests (smtp-server, the server half of
 * nodemailer's project): it takes mail over a real SMTP conversation, keeps each message decoded
 * (subject, plain text, HTML), and refuses the addresses it is told to with a permanent 550 or a
 * temporary 451 — never a mock of the sender.
 *
 *   const smtp = await LocalSmtp.start();
 *   env.SMTP_URL = smtp.url;
 *   await eventually(() => smtp.to('anna@example.com').length === 1);
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as received, decoded. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The attached files (parts sent as `Content-Disposition: attachment`), decoded. */
  readonly attachments: readonly MailAttachment[];
  readonly raw: string;
}

/** A file attached to a message. */
export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** RFC 2047 encoded words in a header (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), decoded. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, '');
  for (let index = 0; index < joined.length; index++) {
    const char = joined[index] ?? '';
    const hex = joined.slice(index + 1, index + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else bytes.push(...Buffer.from(char, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Headers (unfolded, lower-case names) and body of one MIME entity. */
function entity(raw: string): { readonly headers: Record<string, string>; readonly body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** The text/plain and text/html parts of a message and its attachments (nested multiparts included). */
function parts(raw: string): { text: string; html: string; attachments: MailAttachment[] } {
  const { headers, body } = entity(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const found = { text: '', html: '', attachments: [] as MailAttachment[] };
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const inner = parts(part.replace(/^\r?\n/, ''));
      found.text ||= inner.text;
      found.html ||= inner.html;
      found.attachments.push(...inner.attachments);
    }
    return found;
  }
  const disposition = headers['content-disposition'] ?? '';
  if (disposition.toLowerCase().startsWith('attachment')) {
    const filename = decodeHeader(/filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? '');
    const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
    const bytes = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.from(decodeBody(headers, body), 'utf8');
    return { text: '', html: '', attachments: [{ filename, contentType: type.split(';')[0]?.trim() ?? type, bytes }] };
  }
  const decoded = decodeBody(headers, body).replace(/\r\n/g, '\n').replace(/\n$/, '');
  return type.toLowerCase().startsWith('text/html') ? { text: '', html: decoded, attachments: [] } : { text: decoded, html: '', attachments: [] };
}

/** A local SMTP server that keeps what it receives. */
export class LocalSmtp {
  readonly received: ReceivedMail[] = [];
  /** Addresses refused for good (550 at RCPT TO). */
  readonly refused = new Set<string>();
  /** Addresses refused for now (451 at RCPT TO): the desk must retry. */
  readonly deferred = new Set<string>();

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  /** Starts a server on 127.0.0.1 on a free port, plain SMTP without TLS or sign-in. */
  static async start(): Promise<LocalSmtp> {
    // the server's callbacks reach the instance made once it listens
    const self: { smtp?: LocalSmtp } = {};
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const refuse = (code: number, text: string) => callback(Object.assign(new Error(text), { responseCode: code }));
        // as real servers do, the reply quotes the address
        if (self.smtp?.refused.has(address.address)) refuse(550, `<${address.address}>: No such mailbox`);
        else if (self.smtp?.deferred.has(address.address)) refuse(451, `<${address.address}>: Try again later`);
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const { text, html, attachments } = parts(raw);
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          self.smtp?.received.push({ from, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject: decodeHeader(entity(raw).headers.subject ?? ''), text, html, attachments, raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self.smtp = new LocalSmtp(server, (server.server.address() as AddressInfo).port);
    return self.smtp;
  }

  /** The SMTP_URL of this server. */
  get url(): string {
    return `smtp://127.0.0.1:${String(this.port)}`;
  }

  /** The messages received for one address, oldest first. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
