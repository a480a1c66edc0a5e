/**
 * What the web chat keeps: the ports the web chat adapter (adapters/web/chat/) works through and
 * the store implements (src/store/web-chat.ts, src/store/files.ts), so the adapter never touches
 * the database and the store never depends on an adapter.
 */
import type { Readable } from 'node:stream';
import type { Attachment } from './domain/claim.js';
import type { Choice, Expectation } from '../flows/types.js';

/**
 * What the other stores know of a web visitor (by visitor id), as the web chat's housekeeping asks
 * them: the web chat's stores never read the claims or the conversations themselves.
 */
export interface WebVisitorRecords {
  /** Whether any claim is the visitor's. */
  hasClaims(visitorId: string): Promise<boolean>;
  /** The ids of the files the visitor's claims hold, sent with them or added later. */
  heldFiles(visitorId: string): Promise<ReadonlySet<string>>;
  /** Whether the visitor is in the middle of a dialog (a report being written may yet take their files). */
  inDialog(visitorId: string): Promise<boolean>;
  /** Deletes the visitor's conversation with the update ids it handled. */
  forgetConversation(visitorId: string): Promise<void>;
}

/** An anonymous web customer: a random id, known by the hash of the token their page keeps. */
export interface WebVisitor {
  readonly id: string;
  /** The browser's language when the chat started (`en-GB`), for the first reply. */
  readonly languageCode?: string;
}

/** A file the customer sent, or the desk sent with a reply (#25), as kept in the transcript (the file id never goes back to the page). */
export interface TranscriptFile {
  readonly fileId: string;
  readonly name?: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly kind: Attachment['kind'];
}

/** A choice as kept in the transcript: `lasting` buttons work whatever dialog runs (the survey's 1–5). */
export interface TranscriptChoice extends Choice {
  readonly lasting?: boolean;
}

/** One line of a visitor's conversation, in the order `seq` gives. */
export interface TranscriptEntry {
  readonly seq: number;
  readonly at: Date;
  readonly from: 'customer' | 'desk';
  readonly text: string;
  readonly choices?: readonly TranscriptChoice[];
  readonly expects?: Expectation;
  readonly files?: readonly TranscriptFile[];
  /** The page's id of a customer's message (so the page can match its pending copy). */
  readonly clientId?: string;
}

/** What a customer's message adds to the transcript. */
export interface CustomerLine {
  readonly text: string;
  readonly choiceId?: string;
  readonly files?: readonly TranscriptFile[];
}

/** What a desk message adds to the transcript. */
export interface DeskLine {
  readonly text: string;
  /** Files staff sent with a reply (#25), stored by the desk; the page downloads them by the line's seq and their place. */
  readonly files?: readonly TranscriptFile[];
  readonly choices?: readonly TranscriptChoice[];
  readonly expects: Expectation;
}

/** Visitors and their transcripts. */
export interface WebChatPort {
  /** Creates a visitor known by this token hash (hex SHA-256). */
  createVisitor(tokenHash: string, languageCode?: string): Promise<WebVisitor>;
  /** The visitor a token hash belongs to, or undefined. */
  visitorByTokenHash(tokenHash: string): Promise<WebVisitor | undefined>;
  /** Appends a desk message with the visitor's next seq. Throws when the visitor is unknown. */
  appendDesk(visitorId: string, line: DeskLine): Promise<TranscriptEntry>;
  /**
   * Appends a customer's message once per client id: a second call with the same id returns the
   * entry kept the first time (`created: false`) and writes nothing.
   */
  appendCustomer(visitorId: string, clientId: string, line: CustomerLine): Promise<{ readonly entry: TranscriptEntry; readonly created: boolean }>;
  /** The customer's message kept under a client id, if any. */
  customerEntry(visitorId: string, clientId: string): Promise<TranscriptEntry | undefined>;
  /** The transcript after a seq, oldest first, at most `limit` entries. */
  after(visitorId: string, seq: number, limit: number): Promise<TranscriptEntry[]>;
  /** The label of a button the desk offered this visitor (the latest offer of that id), or undefined. */
  choiceLabel(visitorId: string, choiceId: string): Promise<string | undefined>;
  /** Deletes the visitor's own lines written after `since` (all of them when undefined); the desk's stay. Idempotent. */
  forgetCustomerLines(visitorId: string, since: Date | undefined): Promise<void>;
}

/** Where uploaded files go (GridFS). */
export interface UploadPort {
  /** Stores the bytes; returns the file's id. `target` names the report or claim the dialog meant them for. */
  put(file: { readonly bytes: Buffer; readonly fileName?: string; readonly mimeType: string; readonly ownerId: string; readonly target?: string }): Promise<string>;
  /** Bytes one visitor stored: all, for one target, or since a time. */
  bytesOf(ownerId: string, which?: { readonly target?: string; readonly since?: Date }): Promise<number>;
  /** Bytes all uploads take together. */
  totalBytes(): Promise<number>;
  /** Removes a stored file (an upload that lost a race to a retry of itself). */
  remove(fileId: string): Promise<void>;
}

/** The files the desk sends with its replies (#25; the store's `reply_files` bucket), opened for a visitor's download. */
export interface DeskFilePort {
  open(fileId: string): Promise<{ readonly name: string | undefined; readonly mimeType: string; readonly size: number; readonly stream: Readable } | undefined>;
}

/** What a take from a shared rate window answers: taken or not, and the seconds until the window ends. */
export interface WindowTake {
  readonly taken: boolean;
  readonly retryAfterSeconds: number;
}

/**
 * Counters in fixed time windows shared by the desk's instances (src/store/rate-windows.ts): the
 * web chat's new-chat limits hold per desk, not per instance.
 */
export interface RateWindowPort {
  /** Takes one of `limit` in the current `windowMs` window of `key` (an opaque key, never personal data in clear). */
  take(key: string, limit: number, windowMs: number): Promise<WindowTake>;
}
