import { describe, expect, it } from 'vitest';
import { choiceId, globalChoiceId, parseChoiceId } from '../../flows/core.js';
import { parseCommand, step } from '../../flows/engine.js';
import { exampleDesk } from '../support/fixtures.js';

describe('commands', () => {
  it('parses commands with arguments and a bot name, and nothing else', () => {
    expect(parseCommand('/status 2026-000123')).toEqual({ name: 'status', args: '2026-000123' });
    expect(parseCommand('  /HELP@claimdesk_bot ')).toEqual({ name: 'help', args: '' });
    expect(parseCommand('/language en')).toEqual({ name: 'language', args: 'en' });
    expect(parseCommand('/rm -rf')).toEqual({ name: 'unknown', args: '-rf' });
    expect(parseCommand('my order / delivery')).toBeUndefined();
    expect(parseCommand('1/2 of the kettle')).toBeUndefined();
    expect(parseCommand('/')).toBeUndefined();
  });
});

describe('button ids', () => {
  it('round-trip and stay within Telegram\'s 64 bytes', () => {
    expect(parseChoiceId(choiceId(12, 'edit:description'))).toEqual({ scope: 'turn', seq: 12, value: 'edit:description' });
    expect(parseChoiceId(globalChoiceId('s:2026-000123'))).toEqual({ scope: 'global', value: 's:2026-000123' });
    expect(() => choiceId(1, 'x'.repeat(70))).toThrow(RangeError);
  });

  it('refuse what the desk never issued', () => {
    for (const forged of ['', 'refund', '12', '.refund', 'x.refund', '12.', '12.$gt', '1.{"$gt":""}', `1.${'a'.repeat(61)}`]) {
      expect(parseChoiceId(forged), forged).toBeUndefined();
    }
  });
});

describe('step', () => {
  it('is pure: it asks for the customer\'s claims before starting a report, then answers from them', async () => {
    const desk = await exampleDesk();
    const input = { updateId: 'u1', from: { channel: 'telegram', chatId: '1', userId: '1', languageCode: 'ru' }, content: { type: 'text', text: '/start' } } as const;
    const now = new Date('2026-11-23T10:00:00Z');
    const first = step(undefined, input, { desk, now, results: new Map() });
    expect(first).toEqual({ kind: 'need', request: { id: 'claims', type: 'customer_claims' } });
    const second = step(undefined, input, { desk, now, results: new Map([['claims', { type: 'claims', claims: [] }]]) });
    expect(second.kind).toBe('reply');
    if (second.kind !== 'reply') return;
    expect(second.state).toMatchObject({ flowId: 'intake', stepId: 'kind', locale: 'ru', prompt: 1, lastActivityAt: now });
    expect(second.replies[0]?.choices?.map((c) => c.id)).toEqual(['1.claim', '1.complaint', '1.quality_claim']);
    // the same input and results give the same outcome
    expect(step(undefined, input, { desk, now, results: new Map([['claims', { type: 'claims', claims: [] }]]) })).toEqual(second);
  });
});
