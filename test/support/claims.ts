import { isRefusal, type ClaimChange, type PlanResult } from '../../src/domain/claim-changes.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { registrationEvent, type Claim } from '../../src/domain/lifecycle.js';

/**
 * Claims for the domain's tests, without a database: one registered claim, told apart by what each
 * test overrides, and the two readings of a plan.
 */

/** When the test claims were registered. */
export const CREATED = new Date('2026-05-01T09:00:00Z');

/** `hours` after the test claims were registered. */
export const hoursAfter = (hours: number): Date => new Date(CREATED.getTime() + hours * 3_600_000);

/**
 * A new quality-department claim about a kettle, registered at {@link CREATED} with the default
 * SLA (24 h, 240 h), with `extra` over it.
 * @example claimFixture({ status: 'in_review', assigneeId: 'ivan' })
 */
export function claimFixture(extra: Partial<Claim> = {}): Claim {
  return {
    id: '665f1c2e9b1e8a3d4c5b6a79',
    number: '2026-000001',
    kind: 'claim',
    category: 'defect',
    concerns: { product: 'Kettle KT-200' },
    description: 'The kettle stopped heating after two days.',
    attachments: [],
    desiredRemedy: 'replacement',
    contact: { name: 'Anna', phone: '+79123456789' },
    customer: { channel: 'telegram', userId: '1001' },
    conversation: { channel: 'telegram', chatId: '1001' },
    locale: 'en',
    severity: 'normal',
    status: 'new',
    version: 1,
    department: 'quality',
    createdAt: CREATED,
    updatedAt: CREATED,
    sla: { firstResponseDueAt: hoursAfter(24), resolutionDueAt: hoursAfter(240), firstResponseHours: 24, resolutionHours: 240 },
    reopenCount: 0,
    history: [registrationEvent(CREATED)],
    ...extra,
  };
}

/** The change a plan answers; fails the test on a refusal. */
export function changed(result: PlanResult): ClaimChange {
  if (isRefusal(result)) throw new Error(`refused: ${result.refusal} ${result.message}`);
  return result;
}

/** The code of a refusal; fails the test on a change. */
export function refused(result: PlanResult): DomainErrorCode {
  if (!isRefusal(result)) throw new Error(`expected a refusal, got a change with ${String(result.events.length)} events`);
  return result.refusal;
}

