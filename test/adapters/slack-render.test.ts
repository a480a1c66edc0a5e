import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIONS,
  assignModal,
  claimCard,
  customerMessage,
  escapeMrkdwn,
  historyLine,
  resolveModal,
  templateReply,
  truncate,
  type RenderContext,
} from '../../adapters/slack/render.js';
import { choiceToInbound, dmToInbound, plainText, type SlackMessageEvent } from '../../adapters/slack/inbound.js';
import { ClaimDraft, type Attachment, type ClaimDraftInput } from '../../src/domain/claim.js';
import type { DeskConfig, StaffMember } from '../../src/domain/desk.js';
import {
  CLAIM_STATUSES,
  customerInfoEvent,
  registrationEvent,
  type Claim,
  type ClaimEvent,
  type ClaimStatus,
} from '../../src/domain/lifecycle.js';
import type { Locale } from '../../src/domain/locale.js';
import { formatDateTime, t } from '../../src/i18n/index.js';
import type { Outbound } from '../../flows/types.js';
import { historyText, PLAIN } from '../../adapters/staff-text.js';
import { draft, exampleDesk } from '../support/fixtures.js';

/** The parts of Block Kit JSON the tests read. */
interface LooseElement {
  type?: string;
  action_id?: string;
  value?: string;
  text?: { type?: string; text: string };
  options?: { text: { text: string }; value: string }[];
  initial_option?: { value: string };
  initial_value?: string;
}
interface LooseBlock {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: LooseElement[];
  element?: LooseElement;
  accessory?: LooseElement;
}
interface LooseView {
  title: { text: string };
  blocks: LooseBlock[];
}

const blocksOf = (message: { blocks: unknown }) => message.blocks as LooseBlock[];
const asView = (view: unknown) => view as LooseView;
const actionIds = (blocks: LooseBlock[]) => blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []).map((element) => element.action_id) : []));
/** Whether a string holds a surrogate half without its partner. */
const hasLoneSurrogate = (text: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const created = new Date('2026-05-04T09:30:00Z');
const hoursAfter = (hours: number) => new Date(created.getTime() + hours * 3_600_000);

function makeClaim(overrides: Partial<Omit<Claim, keyof ClaimDraft>> = {}, draftOverrides: Partial<ClaimDraftInput> = {}): Claim {
  return {
    ...ClaimDraft.parse(draft(draftOverrides)),
    id: 'claim-0001',
    number: '2026-000123',
    status: 'new',
    version: 1,
    department: 'quality',
    createdAt: created,
    updatedAt: created,
    sla: { firstResponseDueAt: hoursAfter(24), resolutionDueAt: hoursAfter(240), firstResponseHours: 24, resolutionHours: 240 },
    reopenCount: 0,
    history: [registrationEvent(created)],
    ...overrides,
  };
}

let desk: DeskConfig;
const ctx = (locale: Locale): RenderContext => ({ desk, locale });

beforeAll(async () => {
  desk = await exampleDesk();
});

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<#C123>', '&lt;#C123&gt;'],
    ['<https://x|y>', '&lt;https://x|y&gt;'],
    ['a & b', 'a &amp; b'],
    ['plain text, *bold*', 'plain text, *bold*'],
  ])('escapes %s', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('escapes the ampersand first, so a typed entity shows as typed', () => {
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
    expect(escapeMrkdwn('&amp; <x>')).toBe('&amp;amp; &lt;x&gt;');
  });
});

describe('truncate', () => {
  it('leaves a short text unchanged', () => {
    expect(truncate('hello', 10)).toBe('hello');
    expect(truncate('exactly10!', 10)).toBe('exactly10!');
  });

  it('cuts a long text to exactly max characters ending with an ellipsis', () => {
    const cut = truncate('abcdefghijklmnopqrstuvwxyz', 10);
    expect(cut).toHaveLength(10);
    expect(cut).toBe('abcdefghi…');
  });

  it('never splits a surrogate pair at the cut', () => {
    // the cut would fall between the two halves of 😀
    const cut = truncate('abc😀defgh', 5);
    expect(cut).toBe('abc…');
    expect(hasLoneSurrogate(cut)).toBe(false);
    // right after a whole pair, the pair is kept
    expect(truncate('ab😀cdefg', 5)).toBe('ab😀…');
  });

  it('keeps every cut of an emoji text well-formed and within max', () => {
    const text = '😀a😀😀b😀😀😀c😀'.repeat(3);
    for (let max = 1; max < text.length; max++) {
      const cut = truncate(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith('…')).toBe(true);
      expect(hasLoneSurrogate(cut)).toBe(false);
      expect(text.startsWith(cut.slice(0, -1))).toBe(true);
    }
  });
});

describe('customerMessage', () => {
  const choices = Array.from({ length: 12 }, (_, index) => ({ id: `opt-${String(index)}`, label: `Option ${String(index + 1)}` }));

  it('renders the text as plain_text sections, never mrkdwn', () => {
    const message = customerMessage({ text: 'Hi <!channel> *bold* <https://x|y>', expects: 'text' });
    const sections = blocksOf(message).filter((block) => block.type === 'section');
    expect(sections).toHaveLength(1);
    expect(sections[0]?.text).toMatchObject({ type: 'plain_text', text: 'Hi <!channel> *bold* <https://x|y>' });
  });

  it('splits a long text into several sections of at most 3000 characters', () => {
    const text = Array.from({ length: 7001 }, (_, index) => String.fromCharCode(97 + (index % 26))).join('');
    const sections = blocksOf(customerMessage({ text, expects: 'text' })).filter((block) => block.type === 'section');
    expect(sections.length).toBeGreaterThan(1);
    for (const section of sections) {
      expect(section.text?.type).toBe('plain_text');
      expect(section.text?.text.length).toBeLessThanOrEqual(3000);
    }
    expect(sections.map((section) => section.text?.text ?? '').join('')).toBe(text);
  });

  it('renders choices as buttons in rows of at most five', () => {
    const blocks = blocksOf(customerMessage({ text: 'Pick one', choices, expects: 'choice' }));
    const rows = blocks.filter((block) => block.type === 'actions');
    expect(rows.map((row) => row.elements?.length)).toEqual([5, 5, 2]);
    const buttons = rows.flatMap((row) => row.elements ?? []);
    expect(buttons.every((button) => button.type === 'button')).toBe(true);
    const ids = buttons.map((button) => button.action_id ?? '');
    expect(new Set(ids).size).toBe(choices.length);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${ACTIONS.choice}:\\d+$`));
    expect(ids.every((id) => id.startsWith('flow.choice:'))).toBe(true);
    expect(buttons.map((button) => button.value)).toEqual(choices.map((choice) => choice.id));
    expect(buttons.map((button) => button.text?.text)).toEqual(choices.map((choice) => choice.label));
  });

  it('numbers the choices in the fallback text and escapes the message text', () => {
    const outbound: Outbound = { text: 'Hey <!channel> & all', choices: choices.slice(0, 3), expects: 'choice' };
    const { text } = customerMessage(outbound);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('Hey &lt;!channel&gt; &amp; all');
    expect(text.split('\n').slice(1)).toEqual(['1. Option 1', '2. Option 2', '3. Option 3']);
  });

  it('has no actions block without choices', () => {
    const message = customerMessage({ text: 'Thank you', expects: 'none' });
    expect(blocksOf(message).some((block) => block.type === 'actions')).toBe(false);
    expect(message.text).toBe('Thank you');
  });
});

describe('claimCard', () => {
  const expectedButtons: Record<ClaimStatus, string[]> = {
    // a reply to the customer, a move and a duplicate link at every open status (#25); notes are thread messages, no button
    new: [ACTIONS.take, ACTIONS.assign, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate],
    in_review: [ACTIONS.assign, ACTIONS.assess, ACTIONS.investigate, ACTIONS.requestInfo, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate],
    investigating: [ACTIONS.assign, ACTIONS.assess, ACTIONS.recordInvestigation, ACTIONS.requestInfo, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate],
    awaiting_customer: [ACTIONS.assign, ACTIONS.resolve, ACTIONS.reply, ACTIONS.move, ACTIONS.linkDuplicate],
    resolved: [ACTIONS.close, ACTIONS.reopen], // staff close a resolved claim (#25)
    closed: [ACTIONS.reopen],
  };

  it('shows customer text only escaped', () => {
    const claim = makeClaim(
      { status: 'in_review', assigneeId: 'ivan' },
      {
        description: '<!channel> & co',
        concerns: { product: 'Kettle <@U123>', orderOrBatch: '<https://evil|ORD-1>' },
        attachments: [{ channel: 'slack', kind: 'document', fileId: 'F1', fileName: '<!here>.pdf' }],
      },
    );
    for (const locale of ['ru', 'en'] as const) {
      const card = claimCard(ctx(locale), claim);
      const json = JSON.stringify(card);
      expect(json).not.toContain('<!channel>');
      expect(json).not.toContain('& co');
      expect(json).toContain('&lt;!channel&gt; &amp; co');
      expect(json).not.toContain('<@U123>');
      expect(json).toContain('&lt;@U123&gt;');
      expect(json).not.toContain('<https://evil');
      expect(json).not.toContain('<!here>');
      expect(json).toContain('&lt;!here&gt;.pdf');
    }
  });

  it('isolates what the customer typed (product, order, file names, each line of the description): an override cannot run past it', () => {
    const rlo = '\u202e';
    const claim = makeClaim({}, {
      concerns: { product: `Kettle ${rlo}002-TK`, orderOrBatch: `ORD-${rlo}1` },
      description: `It broke ${rlo}after two days.\nAnd the box was wet.`,
      attachments: [{ channel: 'telegram', kind: 'document', fileId: 'f1', fileName: `invoice${rlo}fdp.exe` }],
    });
    const json = JSON.stringify(claimCard(ctx('en'), claim));
    expect(json).toContain(JSON.stringify(`\u2068Kettle ${rlo}002-TK\u2069`).slice(1, -1));
    expect(json).toContain(JSON.stringify(`\u2068ORD-${rlo}1\u2069`).slice(1, -1));
    expect(json).toContain(JSON.stringify(`\u2068invoice${rlo}fdp.exe\u2069`).slice(1, -1));
    expect(json).toContain(JSON.stringify(`>\u2068It broke ${rlo}after two days.\u2069\n>\u2068And the box was wet.\u2069`).slice(1, -1));
  });

  for (const status of CLAIM_STATUSES) {
    it(`offers the buttons a ${status} claim allows`, () => {
      const claim = makeClaim({ status });
      const blocks = blocksOf(claimCard(ctx('en'), claim));
      expect(actionIds(blocks)).toEqual(expectedButtons[status]);
      const buttons = blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
      expect(buttons.every((button) => button.value === claim.id)).toBe(true);
    });
  }

  it('starts with a header of the kind and number', () => {
    const claim = makeClaim();
    for (const locale of ['ru', 'en'] as const) {
      const [header] = blocksOf(claimCard(ctx(locale), claim));
      expect(header?.type).toBe('header');
      expect(header?.text?.text).toBe(t(locale, 'staff.card.title', { kind: t(locale, 'detail.kind.claim'), number: '2026-000123' }));
    }
  });

  it('keeps the header within 150 characters', () => {
    const claim = makeClaim({ number: `2026-${'9'.repeat(300)}` });
    const [header] = blocksOf(claimCard(ctx('en'), claim));
    expect(header?.type).toBe('header');
    expect(header?.text?.text.length).toBeLessThanOrEqual(150);
    expect(header?.text?.text.endsWith('…')).toBe(true);
  });

  it('has no actions block with buttons: false', () => {
    for (const status of CLAIM_STATUSES) {
      const blocks = blocksOf(claimCard(ctx('ru'), makeClaim({ status }), { buttons: false }));
      expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    }
  });
});

describe('historyLine', () => {
  const claim = () => makeClaim({ status: 'awaiting_customer', assigneeId: 'ivan' });
  const file = (fileName: string | undefined, kind: Attachment['kind'] = 'document'): Attachment => ({
    channel: 'slack',
    kind,
    fileId: `F${String(fileName?.length ?? 0)}`,
    ...(fileName !== undefined ? { fileName } : {}),
  });

  it('gives no line for the registration', () => {
    expect(historyLine(ctx('en'), claim(), registrationEvent(created))).toBeUndefined();
  });

  it('quotes and escapes the question of a request for information', () => {
    const event: ClaimEvent = {
      id: 'e1',
      at: hoursAfter(1),
      actor: { kind: 'staff', staffId: 'ivan' },
      type: 'status_changed',
      action: 'request_info',
      from: 'in_review',
      to: 'awaiting_customer',
      note: 'Send a photo of <b>the label</b> & box\n<!channel> too',
      notifyCustomer: true,
    };
    for (const locale of ['ru', 'en'] as const) {
      expect(historyLine(ctx(locale), claim(), event)).toBe(
        t(locale, 'staff.history.request_info', {
          who: 'Ivan Petrov',
          // each typed line isolated (FSI … PDI), so a right-to-left override cannot run past it
          question: '\n>\u2068Send a photo of &lt;b&gt;the label&lt;/b&gt; &amp; box\u2069\n>\u2068&lt;!channel&gt; too\u2069',
        }),
      );
    }
  });

  it('lists the files the customer added, escaped, with the text quoted', () => {
    const event = customerInfoEvent('sl:D1:1.2', { text: 'Here <you> go', attachments: [file('<b>.pdf'), file(undefined, 'photo')] }, hoursAfter(2));
    for (const locale of ['ru', 'en'] as const) {
      const line = historyLine(ctx(locale), claim(), event);
      expect(line).toBe(
        [
          t(locale, 'staff.history.customer_info', { text: '\n>\u2068Here &lt;you&gt; go\u2069' }),
          t(locale, 'staff.history.customer_files', { files: `\u2068&lt;b&gt;.pdf\u2069, \u2068${t(locale, 'staff.file.photo')}\u2069` }),
        ].join('\n'),
      );
      expect(line).not.toContain('<b>');
    }
  });

  it('the web console\'s plain history isolates typed text and file names the same way', () => {
    const event = customerInfoEvent('web:v1:1', { text: 'Here \u202ego', attachments: [file('scan.pdf')] }, hoursAfter(2));
    const line = historyText(ctx('en'), claim(), event, PLAIN) ?? '';
    expect(line).toContain('\n\u2068Here \u202ego\u2069');
    expect(line).toContain('\u2068scan.pdf\u2069');
  });

  it('names at most five files and counts the rest', () => {
    const files = Array.from({ length: 8 }, (_, index) => file(`scan-${String(index + 1)}.jpg`, 'photo'));
    const event = customerInfoEvent('sl:D1:1.3', { attachments: files }, hoursAfter(3));
    for (const locale of ['ru', 'en'] as const) {
      const line = historyLine(ctx(locale), claim(), event) ?? '';
      expect(line).toBe(
        t(locale, 'staff.history.customer_files', {
          files: `${[1, 2, 3, 4, 5].map((n) => `\u2068scan-${String(n)}.jpg\u2069`).join(', ')}, ${t(locale, 'staff.card.more_files', { count: 3 })}`,
        }),
      );
      expect(line).not.toContain('scan-6.jpg');
    }
  });
});

describe('templateReply', () => {
  it('fills the claim\'s placeholders in the claim\'s language, whatever the staff member reads; the remedy is left for the decision (never the customer\'s wish)', () => {
    const ruClaim = makeClaim({}, { locale: 'ru', desiredRemedy: 'replacement' });
    const ruDate = formatDateTime(created, 'ru', 'Europe/Moscow');
    expect(templateReply(ctx('en'), ruClaim, 'accepted-replacement', undefined)).toEqual({
      outcome: 'accepted',
      text: `По вашей претензии № 2026-000123 от ${ruDate} принято решение: {remedy}. Приносим извинения за неудобства.`,
    });

    const enClaim = makeClaim({ number: '2026-000777' }, { locale: 'en', desiredRemedy: 'replacement' });
    const enDate = formatDateTime(created, 'en', 'Europe/Moscow');
    expect(templateReply(ctx('ru'), enClaim, 'accepted-replacement', undefined)).toEqual({
      outcome: 'accepted',
      text: `Your claim No. 2026-000777 of ${enDate} is accepted: {remedy}. We apologise for the inconvenience.`,
    });
  });

  it('gives the rejection template its outcome', () => {
    const reply = templateReply(ctx('en'), makeClaim({}, { locale: 'en' }), 'rejected-not-covered', undefined);
    expect(reply?.outcome).toBe('rejected');
    expect(reply?.text).toContain('claim No. 2026-000123 of ');
    expect(reply?.text).not.toMatch(/\{(number|date|remedy)\}/);
  });

  it('gives undefined for an unknown template', () => {
    expect(templateReply(ctx('en'), makeClaim(), 'no-such-template', undefined)).toBeUndefined();
  });
});

describe('resolveModal', () => {
  const view = (locale: Locale, draftReply: Parameters<typeof resolveModal>[2]) => asView(resolveModal(ctx(locale), makeClaim({ status: 'in_review' }), draftReply));
  const replyBlock = (modal: LooseView) => modal.blocks.find((block) => block.block_id?.startsWith('reply.'));

  it('has a title of at most 24 characters in both languages', () => {
    for (const locale of ['ru', 'en'] as const) {
      const { title } = view(locale, { round: 0 });
      expect(title.text.length).toBeLessThanOrEqual(24);
      expect(title.text).toBe(t(locale, 'staff.modal.resolve.title'));
    }
  });

  it('names the reply block by the round', () => {
    expect(replyBlock(view('en', { round: 0 }))?.block_id).toBe('reply.0');
    expect(replyBlock(view('en', { round: 3 }))?.block_id).toBe('reply.3');
  });

  it('sets the reply\'s initial value only when a draft text is given', () => {
    expect(replyBlock(view('en', { round: 0 }))?.element).not.toHaveProperty('initial_value');
    expect(replyBlock(view('en', { round: 1, outcome: 'accepted', templateId: 'accepted-replacement', text: 'We will replace it.' }))?.element?.initial_value).toBe(
      'We will replace it.',
    );
  });

  it('lists the desk\'s templates in the template select', () => {
    for (const locale of ['ru', 'en'] as const) {
      const select = view(locale, { round: 0 }).blocks.find((block) => block.block_id === 'template')?.accessory;
      expect(select?.action_id).toBe(ACTIONS.resolveTemplate);
      expect(select?.options?.map((option) => option.value)).toEqual(['accepted-replacement', 'partial-refund', 'rejected-not-covered']);
      expect(select?.options?.map((option) => option.text.text)).toEqual(desk.templates.map((template) => template.title[locale]));
      expect(select).not.toHaveProperty('initial_option');
    }
  });

  it('marks the picked template as the initial option', () => {
    const select = view('en', { round: 1, templateId: 'rejected-not-covered', outcome: 'rejected', text: 'No.' }).blocks.find((block) => block.block_id === 'template')?.accessory;
    expect(select?.initial_option?.value).toBe('rejected-not-covered');
  });
});

describe('assignModal', () => {
  const staff = (ids: string[]): StaffMember[] =>
    ids.map((id) => {
      const member = desk.staff.find((candidate) => candidate.id === id);
      if (!member) throw new Error(`no staff member ${id}`);
      return member;
    });
  const select = (modal: LooseView) => modal.blocks.find((block) => block.block_id === 'assignee')?.element;

  it('offers exactly the staff given', () => {
    const modal = asView(assignModal(ctx('en'), makeClaim(), staff(['ivan', 'sergey'])));
    const options = select(modal)?.options ?? [];
    expect(options.map((option) => option.value)).toEqual(['ivan', 'sergey']);
    expect(options.map((option) => option.text.text)).toEqual(['Ivan Petrov', 'Sergey Volkov']);
  });

  it('preselects the current assignee', () => {
    const modal = asView(assignModal(ctx('ru'), makeClaim({ status: 'in_review', assigneeId: 'maria' }), staff(['ivan', 'maria', 'sergey'])));
    expect(select(modal)?.initial_option?.value).toBe('maria');
  });

  it('preselects nobody for an unassigned claim', () => {
    const modal = asView(assignModal(ctx('en'), makeClaim(), staff(['ivan', 'maria'])));
    expect(select(modal)).toBeDefined();
    expect(select(modal)).not.toHaveProperty('initial_option');
  });
});

describe('plainText', () => {
  it.each([
    ['<mailto:a@b.co|a@b.co>', 'a@b.co'],
    ['<tel:+79123456789|+7 912 345-67-89>', '+7 912 345-67-89'],
    ['<https://x.y/z|label>', 'label (https://x.y/z)'],
    ['<https://x.y>', 'https://x.y'],
    ['&lt;b&gt; &amp;', '<b> &'],
    ['<@U123>', '<@U123>'],
    ['write to <mailto:a@b.co|a@b.co> or see <https://x.y>', 'write to a@b.co or see https://x.y'],
  ])('reads %s as %s', (input, expected) => {
    expect(plainText(input)).toBe(expected);
  });
});

describe('dmToInbound', () => {
  const team = 'T0CUSTOMER';
  const base: SlackMessageEvent = { type: 'message', channel: 'D0DM000001', channel_type: 'im', user: 'U0CUST0001', text: 'Hello &amp; <https://x.y>', ts: '1777000000.000100' };

  it('turns a direct message into text input', () => {
    expect(dmToInbound(team, base, { name: 'Anna', locale: 'ru-RU' })).toEqual({
      updateId: 'sl:D0DM000001:1777000000.000100',
      from: { channel: 'slack', chatId: 'D0DM000001', userId: 'U0CUST0001', teamId: team, displayName: 'Anna', languageCode: 'ru-RU' },
      content: { type: 'text', text: 'Hello & https://x.y' },
    });
  });

  it('leaves out the profile fields it was not given', () => {
    const inbound = dmToInbound(team, base);
    expect(inbound?.from).toEqual({ channel: 'slack', chatId: 'D0DM000001', userId: 'U0CUST0001', teamId: team });
  });

  it('turns shared files into files input with kinds by type and the text as caption', () => {
    const inbound = dmToInbound(team, {
      ...base,
      subtype: 'file_share',
      text: 'The label',
      files: [
        { id: 'F01', name: 'label.png', mimetype: 'image/png', size: 1234 },
        { id: 'F02', name: 'unboxing.mp4', mimetype: 'video/mp4' },
        { id: 'F03', name: 'noise.mp3', mimetype: 'audio/mpeg' },
        { id: 'F04', name: '../../etc/passwd', mimetype: 'application/pdf' },
      ],
    });
    expect(inbound?.updateId).toBe('sl:D0DM000001:1777000000.000100');
    expect(inbound?.content).toEqual({
      type: 'files',
      caption: 'The label',
      attachments: [
        { channel: 'slack', kind: 'photo', fileId: 'F01', fileName: 'label.png', mimeType: 'image/png', sizeBytes: 1234 },
        { channel: 'slack', kind: 'video', fileId: 'F02', fileName: 'unboxing.mp4', mimeType: 'video/mp4' },
        { channel: 'slack', kind: 'audio', fileId: 'F03', fileName: 'noise.mp3', mimeType: 'audio/mpeg' },
        { channel: 'slack', kind: 'document', fileId: 'F04', fileName: 'passwd', mimeType: 'application/pdf' },
      ],
    });
  });

  it('gives files without a caption when there is no text', () => {
    const inbound = dmToInbound(team, { ...base, subtype: 'file_share', text: '', files: [{ id: 'F01', name: 'a.pdf', mimetype: 'application/pdf' }] });
    expect(inbound?.content).toEqual({ type: 'files', attachments: [{ channel: 'slack', kind: 'document', fileId: 'F01', fileName: 'a.pdf', mimeType: 'application/pdf' }] });
  });

  it.each<[string, SlackMessageEvent]>([
    ['a channel message', { ...base, channel_type: 'channel' }],
    ['an edit', { ...base, subtype: 'message_changed' }],
    ['a deletion', { ...base, subtype: 'message_deleted' }],
    ['a bot message', { ...base, bot_id: 'B0BOT00001' }],
    ['a message without a user', { ...base, user: undefined }],
    ['a message without a ts', { ...base, ts: undefined }],
    ['another event type', { ...base, type: 'app_mention' }],
  ])('skips %s', (_what, event) => {
    expect(dmToInbound(team, event)).toBeUndefined();
  });

  it('gives a redelivered message the same update id, another message another', () => {
    const first = dmToInbound(team, { ...base });
    const again = dmToInbound(team, { ...base });
    const other = dmToInbound(team, { ...base, ts: '1777000000.000200' });
    expect(first?.updateId).toBeDefined();
    expect(again?.updateId).toBe(first?.updateId);
    expect(other?.updateId).not.toBe(first?.updateId);
  });
});

describe('choiceToInbound', () => {
  it('turns a button press into a choice with the action ts in the update id', () => {
    const inbound = choiceToInbound('T0CUSTOMER', 'D0DM000001', 'U0CUST0001', '1777000005.123456', 'opt-2', { name: 'Anna' });
    expect(inbound.content).toEqual({ type: 'choice', choiceId: 'opt-2' });
    expect(inbound.updateId).toContain('1777000005.123456');
    expect(inbound.from).toEqual({ channel: 'slack', chatId: 'D0DM000001', userId: 'U0CUST0001', teamId: 'T0CUSTOMER', displayName: 'Anna' });
  });

  it('never shares an update id with a message of the same ts', () => {
    const press = choiceToInbound('T0CUSTOMER', 'D0DM000001', 'U0CUST0001', '1777000000.000100', 'opt-1');
    const message = dmToInbound('T0CUSTOMER', { type: 'message', channel: 'D0DM000001', channel_type: 'im', user: 'U0CUST0001', text: 'hi', ts: '1777000000.000100' });
    expect(press.updateId).not.toBe(message?.updateId);
  });
});

describe('long texts are cut cleanly', () => {
  it('a customer message never splits an emoji between two sections', () => {
    const text = `${'a'.repeat(2999)}😀${'b'.repeat(10)}`;
    const sections = customerMessage({ text, expects: 'text' }).blocks.flatMap((block) => ('text' in block && block.text && typeof block.text === 'object' && 'text' in block.text ? [block.text.text] : []));
    expect(sections.join('')).toBe(text);
    for (const part of sections) {
      expect(part.length).toBeLessThanOrEqual(3000);
      expect(/[\ud800-\udbff]$/.test(part)).toBe(false);
      expect(/^[\udc00-\udfff]/.test(part)).toBe(false);
    }
  });
});
