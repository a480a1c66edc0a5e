import type { ClaimDraftInput } from '../../src/domain/claim.js';
import { loadDeskConfig } from '../../src/config.js';
import { projectRoot } from '../../src/store/local/paths.js';
import type { DeskConfig } from '../../src/domain/desk.js';

/** The shipped example desk configuration. */
export function exampleDesk(): Promise<DeskConfig> {
  return loadDeskConfig('config/desk.example.yaml', projectRoot);
}

/** A valid claim draft from a Telegram customer; override what a test needs. */
export function draft(overrides: Partial<ClaimDraftInput> = {}): ClaimDraftInput {
  return {
    kind: 'claim',
    category: 'defect',
    concerns: { product: 'Kettle KT-200', orderOrBatch: 'ORD-5512' },
    description: 'The kettle stopped heating after two days.',
    desiredRemedy: 'replacement',
    contact: { name: 'Anna', phone: '+7 912 345-67-89' },
    customer: { channel: 'telegram', userId: '1001' },
    conversation: { channel: 'telegram', chatId: '1001' },
    locale: 'ru',
    ...overrides,
  };
}

/** Draft overrides for another Telegram customer (their own chat), e.g. `draft(telegramCustomer('5001'))`. */
export function telegramCustomer(id: string): Pick<ClaimDraftInput, 'customer' | 'conversation'> {
  return { customer: { channel: 'telegram', userId: id }, conversation: { channel: 'telegram', chatId: id } };
}

/**
 * Waits until `check` holds (polling every 50 ms), for work that finishes in the background
 * (jobs, syncs); fails after `timeoutMs`.
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A claim the current code cannot read: its `_id` is a string, not an ObjectId. */
export function poisonedClaim(channel: string, userId: string): Record<string, unknown> {
  return { _id: `imported-${userId}`, number: `2025-${userId.slice(-6).padStart(6, '0')}`, customer: { channel, userId }, status: 'new', createdAt: new Date(), history: [] };
}

/**
 * Waits until at least `marginMs` remain in the current minute, so a test's requests fall in one
 * of the limits' one-minute windows.
 */
export async function inOneMinuteWindow(marginMs = 20_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
