/**
 * Benchmark 4: outbound rate. With the job worker stopped (on every instance), N customer notifications are queued
 * through the product (claims registered by the registry, then taken — and some asked a question —
 * by staff through the staff desk, which schedules the notification jobs); then the worker starts
 * and every message is timed where it arrives, at the fake Bot API: delivered, lost, duplicates,
 * overall rate, the most in any 1-second window, and the least gap between two messages to a chat.
 */
import { randomBytes } from 'node:crypto';
import { NOTIFY_JOB } from '../src/jobs/customer-notification.js';
import { TELEGRAM_BULK_PER_SECOND, TELEGRAM_CHAT_INTERVAL_MS } from '../adapters/telegram/pacer.js';
import type { ClaimDraftInput } from '../src/domain/claim.js';
import { median, round, sleep, startDesk, type DeskUnderBench } from './common.js';

export interface OutboundOptions {
  readonly mongoUri: string;
  /** Customer notifications queued per repetition (default 10 000). */
  readonly notifications?: number;
  /** Chats they go to (default 4 000: every chat gets two or three). */
  readonly chats?: number;
  readonly reps: number;
  /** TELEGRAM_BULK_PER_SECOND for the desk (default 30, Telegram's limit). */
  readonly ratePerSecond?: number;
  /** Gives up waiting for the messages after this long (default: twice the expected time + 60 s). */
  readonly timeoutMs?: number;
  /**
   * Instances of the desk (default 1): each a startApp on the same database with the same bot and
   * fake Bot API, sharing the budget through the database; the backlog is queued through the first.
   */
  readonly instances?: number;
}

export interface OutboundRep {
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Claims registered (and notification jobs queued); some claims carry two notifications. */
  readonly claims: number;
  /** Seconds spent queueing (registering, staff actions, jobs saved). */
  readonly queueSeconds: number;
  /** From the worker's start to the first message at the Bot API, ms. */
  readonly firstAfterMs: number;
  /** Messages per second from the first to the last arrival. */
  readonly ratePerSecond: number;
  /** The most messages that arrived in any 1-second window. */
  readonly maxInAnySecond: number;
  /** The least time between two messages to one chat, ms. */
  readonly minChatGapMs: number;
  /** Arrivals in each 10-second window from the first (where the rate sagged, if it did). */
  readonly perTenSeconds: readonly number[];
  readonly timedOut: boolean;
}

export interface OutboundResult {
  readonly name: 'outbound';
  readonly settings: { notifications: number; chats: number; reps: number; limitPerSecond: number; instances: number; measured: string };
  readonly reps: OutboundRep[];
  readonly median: { ratePerSecond: number; ratioToLimit: number; maxInAnySecond: number; minChatGapMs: number; lost: number; duplicates: number };
  readonly target: { rateAtLeast: number; maxInAnySecond: number; minChatGapMs: number; met: boolean };
}

const STAFF = { staffId: 'ivan' } as const;
const QUESTION = 'Please send a photo of the label on the bottom.';

/** How many notifications each chat gets: as even as possible. */
function perChat(notifications: number, chats: number): number[] {
  return Array.from({ length: chats }, (_, c) => Math.floor(notifications / chats) + (c < notifications % chats ? 1 : 0));
}

/** A small seeded shuffle, so runs queue in the same mixed order. */
function shuffle<T>(items: T[], seed = 7): T[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Runs `task` over the items, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item);
      }
    }),
  );
}

function draftFor(chatId: string): ClaimDraftInput {
  return {
    kind: 'claim',
    category: 'defect',
    concerns: { product: 'Kettle KT-200' },
    description: 'The kettle stopped heating after two days of use.',
    desiredRemedy: 'replacement',
    contact: { name: 'Bench Customer', phone: '+7 912 345-67-89' },
    customer: { channel: 'telegram', userId: chatId },
    conversation: { channel: 'telegram', chatId },
    locale: 'en',
  };
}

async function notifyJobs(desk: DeskUnderBench): Promise<number> {
  return desk.app.db.collection('agendaJobs').countDocuments({ name: NOTIFY_JOB, lastFinishedAt: null });
}

/** The most values in any window [t, t + 1000). */
export function maxInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

async function runOnce(options: OutboundOptions, notifications: number, chats: number, limit: number, rep: number): Promise<OutboundRep> {
  const database = `bench_outbound_${randomBytes(4).toString('hex')}`;
  const env = { TELEGRAM_BULK_PER_SECOND: String(limit) };
  const desk = await startDesk(options.mongoUri, database, { env });
  // further instances: the same database, bot and fake Bot API
  const others: DeskUnderBench[] = [];
  try {
    for (let i = 1; i < (options.instances ?? 1); i++) others.push(await startDesk(options.mongoUri, database, { env, tg: desk.tg }));
    // the worker stopped: what is queued now waits for it (a backlog after an outage, a mass change)
    for (const instance of [desk, ...others]) await instance.app.jobs.stop(false);
    const queueStarted = performance.now();
    const chatIds = Array.from({ length: chats }, (_, c) => String(830_000_000 + rep * 1_000_000 + c));
    // per chat: the first claim carries two notifications (taken, then a question), the others one
    const plan: { chatId: string; notices: 1 | 2 }[] = [];
    perChat(notifications, chats).forEach((count, c) => {
      const chatId = chatIds[c] as string;
      if (count === 1) plan.push({ chatId, notices: 1 });
      if (count >= 2) plan.push({ chatId, notices: 2 });
      for (let i = 2; i < count; i++) plan.push({ chatId, notices: 1 });
    });
    const claims = shuffle(plan);
    const ids: { id: string; notices: 1 | 2 }[] = [];
    let key = 0;
    await inParallel(claims, 32, async (item) => {
      const { claim } = await desk.app.registry.submit(draftFor(item.chatId), `bench-outbound-${String(rep)}-${String(key++)}`);
      const taken = await desk.app.staff.act(STAFF, claim.id, { action: 'take' });
      if (!taken.ok) throw new Error(`bench: staff could not take ${claim.number}: ${taken.reason}`);
      ids.push({ id: claim.id, notices: item.notices });
    });
    // every claim's job saved (each change schedules it without being awaited), then the questions
    for (let waited = 0; (await notifyJobs(desk)) < ids.length; waited++) {
      if (waited > 600) throw new Error('bench: the notification jobs were not all scheduled');
      await sleep(100);
    }
    await inParallel(
      ids.filter((item) => item.notices === 2),
      32,
      async (item) => {
        const asked = await desk.app.staff.act(STAFF, item.id, { action: 'request_info', question: QUESTION });
        if (!asked.ok) throw new Error(`bench: staff could not ask: ${asked.reason}`);
      },
    );
    await sleep(500); // the last schedules land (they only bring the claims' jobs forward)
    const queueSeconds = (performance.now() - queueStarted) / 1000;
    if (desk.tg.fake.calls.some((call) => call.method === 'sendMessage')) throw new Error('bench: a message went out while the worker was stopped');

    const started = performance.now();
    await Promise.all([desk, ...others].map((instance) => instance.app.jobs.start()));
    const timeoutMs = options.timeoutMs ?? ((notifications / limit) * 1000 * 2 + 60_000);
    const arrivedCount = () => chatIds.reduce((sum, chatId) => sum + desk.tg.sentTo(chatId).length, 0);
    let timedOut = false;
    while (arrivedCount() < notifications) {
      if (performance.now() - started > timeoutMs) {
        timedOut = true;
        break;
      }
      await sleep(250);
    }
    await sleep(Math.min(3_000, TELEGRAM_CHAT_INTERVAL_MS * 2)); // a duplicate would show by now

    const times: number[] = [];
    const distinct = new Set<string>();
    let total = 0;
    let minChatGapMs = Number.POSITIVE_INFINITY;
    for (const chatId of chatIds) {
      const sent = desk.tg.sentTo(chatId);
      total += sent.length;
      sent.forEach((message, i) => {
        times.push(message.at);
        distinct.add(`${chatId}\n${message.text}`);
        const previous = sent[i - 1];
        if (previous) minChatGapMs = Math.min(minChatGapMs, message.at - previous.at);
      });
    }
    const first = Math.min(...times);
    const last = Math.max(...times);
    const perTenSeconds = times.length === 0 ? [] : Array.from({ length: Math.floor((last - first) / 10_000) + 1 }, () => 0);
    for (const at of times) {
      const window = Math.floor((at - first) / 10_000);
      perTenSeconds[window] = (perTenSeconds[window] ?? 0) + 1;
    }
    return {
      expected: notifications,
      delivered: distinct.size,
      lost: notifications - distinct.size,
      duplicates: total - distinct.size,
      claims: ids.length,
      queueSeconds: round(queueSeconds, 1),
      firstAfterMs: round(first - started, 1),
      ratePerSecond: times.length > 1 ? round(((times.length - 1) / (last - first)) * 1000, 2) : 0,
      maxInAnySecond: maxInAnySecond(times),
      minChatGapMs: round(minChatGapMs, 1),
      perTenSeconds,
      timedOut,
    };
  } finally {
    for (const instance of others) await instance.stop();
    await desk.app.db.dropDatabase().catch(() => undefined);
    await desk.stop();
  }
}

export async function runOutbound(options: OutboundOptions): Promise<OutboundResult> {
  const notifications = options.notifications ?? 10_000;
  const chats = Math.min(options.chats ?? 4_000, notifications);
  const limit = options.ratePerSecond ?? TELEGRAM_BULK_PER_SECOND;
  const reps: OutboundRep[] = [];
  for (let rep = 0; rep < options.reps; rep++) reps.push(await runOnce(options, notifications, chats, limit, rep));
  const rate = median(reps.map((r) => r.ratePerSecond));
  const worst = {
    maxInAnySecond: Math.max(...reps.map((r) => r.maxInAnySecond)),
    minChatGapMs: Math.min(...reps.map((r) => r.minChatGapMs)),
    lost: Math.max(...reps.map((r) => r.lost)),
    duplicates: Math.max(...reps.map((r) => r.duplicates)),
  };
  const rateAtLeast = round(0.9 * limit, 2);
  return {
    name: 'outbound',
    settings: {
      notifications,
      chats,
      reps: options.reps,
      limitPerSecond: limit,
      instances: options.instances ?? 1,
      measured: 'queued with the job worker stopped, then timed at the fake Bot API from the worker\'s start: rate from the first to the last arrival; the window and per-chat gap are the worst over all messages and reps',
    },
    reps,
    median: { ratePerSecond: rate, ratioToLimit: round(rate / limit), ...worst },
    target: {
      rateAtLeast,
      maxInAnySecond: limit,
      minChatGapMs: TELEGRAM_CHAT_INTERVAL_MS,
      met: rate >= rateAtLeast && rate <= limit && worst.maxInAnySecond <= limit && worst.minChatGapMs >= TELEGRAM_CHAT_INTERVAL_MS && worst.lost === 0 && worst.duplicates === 0,
    },
  };
}
