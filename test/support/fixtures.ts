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
