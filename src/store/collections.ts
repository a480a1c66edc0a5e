import type { Db, IndexDescription } from 'mongodb';

/** Collection names, in one place. */
export const COLLECTIONS = {
  claims: 'claims',
  counters: 'counters',
  claimSubmissions: 'claim_submissions',
  conversations: 'conversations',
  processedUpdates: 'processed_updates',
  slackPosts: 'slack_posts',
  slackLeases: 'slack_leases',
  notifyLeases: 'notify_leases',
  staffActions: 'staff_actions',
  consoleSessions: 'console_sessions',
  consoleLogins: 'console_logins',
  webChatVisitors: 'web_chat_visitors',
  webChatMessages: 'web_chat_messages',
  deadLetters: 'dead_letters',
  telegramInstances: 'telegram_instances',
  telegramChatSlots: 'telegram_chat_slots',
  rateWindows: 'rate_windows',
  correctiveActions: 'corrective_actions',
  audit: 'audit',
  erasures: 'erasures',
  dataRequests: 'data_requests',
  staffNotices: 'staff_notices',
} as const;

/**
 * Every index the store relies on. Only plain and unique compound indexes: the portable subset
 * (no partial, TTL or text indexes) that MongoDB 6+ and the local server both honour.
 */
export const INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [COLLECTIONS.claims]: [
    { key: { number: 1 }, name: 'number_unique', unique: true },
    { key: { idempotencyKey: 1 }, name: 'idempotency_key_unique', unique: true },
    // a customer's claims (/status) and a staff member's open claims (Slack "mine", the console's
    // assignee filter), newest first: `_id` last so the sort (createdAt, then _id) comes from the
    // index and a limit stops the scan; with `status: {$in: [...open]}` mongod merges the per-status
    // ranges in index order (SORT_MERGE) instead of reading every open claim and sorting
    { key: { 'customer.channel': 1, 'customer.userId': 1, createdAt: -1, _id: -1 }, name: 'by_customer_newest' },
    { key: { assigneeId: 1, status: 1, createdAt: -1, _id: -1 }, name: 'by_assignee_status_newest' },
    { key: { status: 1, 'sla.firstResponseDueAt': 1 }, name: 'by_status_first_response_due' },
    { key: { status: 1, 'sla.resolutionDueAt': 1 }, name: 'by_status_resolution_due' },
    { key: { category: 1, createdAt: -1 }, name: 'by_category' },
    // the staff console's list, report and export (src/store/claim-queries.ts); `_id` last so the
    // list's order (newest first, ties by id) comes from the index
    { key: { department: 1, status: 1, createdAt: -1, _id: -1 }, name: 'by_department_status' },
    { key: { createdAt: -1, _id: -1 }, name: 'by_created' },
    { key: { seq: 1 }, name: 'by_seq' },
    { key: { 'concerns.product': 1, createdAt: -1, _id: -1 }, name: 'by_product' },
    { key: { staffSyncPending: 1, updatedAt: 1 }, name: 'by_staff_sync_pending' },
    { key: { customerNotifyPending: 1, updatedAt: 1 }, name: 'by_customer_notify_pending' },
    { key: { slaNextCheckAt: 1 }, name: 'by_sla_next_check' },
    { key: { surveyNextAt: 1 }, name: 'by_survey_next' },
    // the closed claims past the retention (#26)
    { key: { status: 1, closedAt: 1 }, name: 'by_status_closed' },
    { key: { consoleAlertsPending: 1, updatedAt: 1 }, name: 'by_console_alerts_pending' },
    // one customer's claims by their phone or e-mail, as stored (normalised), newest first: the
    // console's search (#25), the customer's export and erasure (#26)
    { key: { 'contact.phone': 1, createdAt: -1 }, name: 'by_contact_phone' },
    { key: { 'contact.email': 1, createdAt: -1 }, name: 'by_contact_email' },
    { key: { fulfilmentNextAt: 1 }, name: 'by_fulfilment_next' },
  ],
  [COLLECTIONS.claimSubmissions]: [{ key: { claimedAt: 1 }, name: 'by_claimed_at' }],
  [COLLECTIONS.conversations]: [{ key: { lastActivityAt: 1 }, name: 'by_last_activity' }],
  // update ids moved out of a conversation's window, deleted with the conversation
  [COLLECTIONS.processedUpdates]: [{ key: { conversationId: 1 }, name: 'by_conversation' }],
  [COLLECTIONS.staffActions]: [{ key: { claimId: 1, at: -1 }, name: 'by_claim' }],
  // a message in a claim's Slack thread finds its claim by the post's channel and ts (#25)
  [COLLECTIONS.slackPosts]: [{ key: { channel: 1, ts: 1 }, name: 'by_message' }],
  [COLLECTIONS.consoleSessions]: [{ key: { expiresAt: 1 }, name: 'by_expires_at' }],
  // the sign-in throttle's records, deleted by housekeeping once expired (no TTL index: portable)
  [COLLECTIONS.consoleLogins]: [{ key: { expiresAt: 1 }, name: 'by_expires_at' }],
  [COLLECTIONS.webChatVisitors]: [
    { key: { tokenHash: 1 }, name: 'token_hash_unique', unique: true },
    { key: { createdAt: 1 }, name: 'by_created_at' },
  ],
  // GridFS's own files collection of the web chat's uploads (the bucket is 'uploads'): by owner, for retention
  'uploads.files': [
    { key: { 'metadata.ownerId': 1 }, name: 'by_owner' },
    // the hourly sweep of uploads no claim holds
    { key: { uploadDate: 1 }, name: 'by_upload_date' },
  ],
  // the files of staff replies (#25; bucket 'reply_files'): the hourly sweep of those never recorded
  'reply_files.files': [{ key: { uploadDate: 1 }, name: 'by_upload_date' }],
  [COLLECTIONS.webChatMessages]: [{ key: { visitorId: 1, seq: 1 }, name: 'visitor_seq_unique', unique: true }],
  // the Telegram chats' slots for bulk messages: idle ones are pruned by when they were last taken
  [COLLECTIONS.telegramChatSlots]: [{ key: { takenAt: 1 }, name: 'by_taken_at' }],
  // shared rate windows (the web chat's new-chat limits): ended ones are deleted by their end
  [COLLECTIONS.rateWindows]: [{ key: { endsAt: 1 }, name: 'by_ends_at' }],
  // corrective and preventive actions (src/store/corrective-actions.ts): by number, the register's
  // order, an owner's open actions, overdue ones, a claim's actions, and the sweeps
  [COLLECTIONS.correctiveActions]: [
    { key: { number: 1 }, name: 'number_unique', unique: true },
    { key: { createdAt: -1, _id: -1 }, name: 'by_created' },
    { key: { ownerId: 1, status: 1, createdAt: -1 }, name: 'by_owner_status' },
    { key: { status: 1, dueAt: 1 }, name: 'by_status_due' },
    { key: { claimIds: 1 }, name: 'by_claim' },
    { key: { nextCheckAt: 1 }, name: 'by_next_check' },
    { key: { alertsPending: 1 }, name: 'by_alerts_pending' },
  ],
  // Agenda's own collection: scheduling a claim's notification finds its job by the claim (one job
  // per claim); without this each schedule scans every job (bench part 4: 10 000 queued)
  agendaJobs: [{ key: { name: 1, 'data.claimId': 1 }, name: 'by_name_claim' }],
  // the audit trail (#26): the console's list by period, by kind and by staff member, newest first;
  // housekeeping deletes records past the audit retention by `at` (no TTL index: portable)
  // erasures under way (#26), resumed by the retention job
  [COLLECTIONS.erasures]: [{ key: { status: 1, at: 1 }, name: 'by_status_at' }],
  // customers' data requests (/mydata), the open ones for staff, and those not yet announced
  [COLLECTIONS.dataRequests]: [
    { key: { status: 1, at: -1 }, name: 'by_status_at' },
    { key: { staffToldAt: 1 }, name: 'by_staff_told' },
  ],
  [COLLECTIONS.audit]: [
    { key: { at: -1, _id: -1 }, name: 'by_at' },
    { key: { kind: 1, at: -1 }, name: 'by_kind_at' },
    { key: { staffId: 1, at: -1 }, name: 'by_staff_at' },
  ],
  // the console's notifications (#25): one per alert and recipient (the key), a member's newest
  // first, their unread count
  [COLLECTIONS.staffNotices]: [
    { key: { key: 1 }, name: 'key_unique', unique: true },
    { key: { staffId: 1, at: -1, _id: -1 }, name: 'by_staff_newest' },
    { key: { staffId: 1, read: 1 }, name: 'by_staff_read' },
  ],
};

/**
 * Indexes an earlier version created that a newer one in {@link INDEXES} replaces (an index's keys
 * cannot change under the same name); dropped at start-up where they exist.
 */
export const SUPERSEDED_INDEXES: Readonly<Record<string, readonly string[]>> = {
  // without `_id` last: the list's sort (createdAt, _id) was not covered, so every claim of the customer or assignee was read and sorted
  [COLLECTIONS.claims]: ['by_customer', 'by_assignee'],
};

/**
 * Creates the indexes and drops the superseded ones (idempotent; run at start-up).
 * @example await ensureIndexes(db);
 */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    await db.collection(collection).createIndexes([...indexes]);
  }
  for (const [collection, names] of Object.entries(SUPERSEDED_INDEXES)) {
    const existing = new Set((await db.collection(collection).listIndexes().toArray()).map((index: { name?: unknown }) => String(index.name)));
    for (const name of names) if (existing.has(name)) await db.collection(collection).dropIndex(name);
  }
}
