import { describe, expect, it } from 'vitest';
import { csvCell, PERSONAL_DATA_COLUMNS, registerColumns, registerCsv, registerCsvHeader, registerCsvRow, REGISTER_COLUMNS, UTF8_BOM, type RegisterCsvOptions } from '../../adapters/web/console/register-csv.js';
import type { Claim } from '../../src/domain/lifecycle.js';

const created = new Date('2026-03-01T23:30:00Z');
const HOUR = 3_600_000;

/** A resolved claim with every field the register shows. */
function claim(overrides: Partial<Claim> = {}): Claim {
  return {
    id: '65f000000000000000000001',
    number: '2026-000123',
    kind: 'quality_claim',
    category: 'defect',
    concerns: { product: 'Чайник KT-200', orderOrBatch: 'ORD-5512', amount: { minor: 249950, currency: 'RUB' } },
    description: 'Чайник перестал греть через два дня.',
    attachments: [],
    desiredRemedy: 'replacement',
    contact: { name: 'Анна Смирнова', phone: '+79123456789', email: 'anna@example.com' },
    customer: { channel: 'telegram', userId: '1001' },
    conversation: { channel: 'telegram', chatId: '1001' },
    locale: 'ru',
    severity: 'normal',
    status: 'resolved',
    version: 5,
    department: 'quality',
    assigneeId: 'ivan',
    createdAt: created,
    updatedAt: new Date(created.getTime() + 30 * HOUR),
    sla: { firstResponseDueAt: new Date(created.getTime() + 24 * HOUR), resolutionDueAt: new Date(created.getTime() + 240 * HOUR), firstResponseHours: 24, resolutionHours: 240 },
    firstResponseAt: new Date(created.getTime() + 2 * HOUR),
    firstResponseMs: 2 * HOUR,
    firstResponseWithinSla: true,
    resolvedAt: new Date(created.getTime() + 30 * HOUR),
    resolutionMs: 30 * HOUR,
    resolvedWithinSla: true,
    decision: { outcome: 'rejected', reason: 'not_covered', responseText: 'Не гарантийный случай.' },
    reopenCount: 0,
    survey: { sentAt: new Date(created.getTime() + 31 * HOUR), closeAt: new Date(created.getTime() + 103 * HOUR), score: 4, answeredAt: new Date(created.getTime() + 32 * HOUR) },
    history: [],
    ...overrides,
  };
}

const options: RegisterCsvOptions = { locale: 'en', timezone: 'Europe/Moscow', now: new Date('2026-03-20T00:00:00Z'), personalData: true };

/** A small RFC 4180 reader, to check that what is written reads back as the same cells. */
function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('the last line does not end in CRLF');
  return rows;
}

describe('the register header', () => {
  it('starts with the byte order mark and names the columns in the language, ending in CRLF', () => {
    const header = registerCsvHeader({ locale: 'en', personalData: true });
    expect(header.startsWith(UTF8_BOM)).toBe(true);
    expect(header).toBe(
      `${UTF8_BOM}Number,Registered at,Kind,Category,Department,Status,Assignee,Channel,Product,Order or batch,Amount,Currency,Desired remedy,Customer name,Phone,E-mail,Description,First response at,Resolved at,Decision,Rejection reason,Satisfaction (1–5),First response due,Resolution due,Overdue\r\n`,
    );
    const russian = parseCsv(registerCsvHeader({ locale: 'ru', personalData: true }).slice(1))[0] ?? [];
    expect(russian).toHaveLength(REGISTER_COLUMNS.length);
    expect(russian.slice(0, 2)).toEqual(['Номер', 'Дата и время регистрации']);
    expect(russian).toContain('Суть претензии');
  });

  it('leaves out the personal-data columns unless the reader may export them (#26)', () => {
    const header = parseCsv(registerCsvHeader({ locale: 'en' }).slice(1))[0] ?? [];
    expect(header).not.toContain('Customer name');
    expect(header).not.toContain('Phone');
    expect(header).not.toContain('E-mail');
    expect(header).toContain('Description');
    expect(registerColumns({})).toEqual(REGISTER_COLUMNS.filter((key) => !PERSONAL_DATA_COLUMNS.includes(key)));
    expect(registerColumns({ personalData: true })).toEqual(REGISTER_COLUMNS);
    const row = registerCsvRow(claim(), { ...options, personalData: false });
    const cells = parseCsv(row)[0] ?? [];
    expect(cells).toHaveLength(REGISTER_COLUMNS.length - 3);
    expect(cells[registerColumns({}).indexOf('description')]).toBe(claim().description);
    expect(row).not.toContain(claim().contact.name);
    expect(row).not.toContain((claim().contact.phone ?? '?').slice(2));
  });
});

describe('a register row', () => {
  it('writes every field; times in the desk zone with its offset; formula-looking phone protected', () => {
    expect(registerCsvRow(claim(), options)).toBe(
      [
        '2026-000123',
        '2026-03-02T02:30:00+03:00',
        'quality_claim',
        'defect',
        'quality',
        'resolved',
        'ivan',
        'telegram',
        'Чайник KT-200',
        'ORD-5512',
        '2499.50',
        'RUB',
        'replacement',
        'Анна Смирнова',
        "'+79123456789",
        'anna@example.com',
        'Чайник перестал греть через два дня.',
        '2026-03-02T04:30:00+03:00',
        '2026-03-03T08:30:00+03:00',
        'rejected',
        'not_covered',
        '4',
        '2026-03-03T02:30:00+03:00',
        '2026-03-12T02:30:00+03:00',
        'no',
      ].join(',') + '\r\n',
    );
  });

  it('leaves absent values empty and says whether the claim is overdue, in the language', () => {
    const bare = claim({
      status: 'new',
      concerns: {},
      contact: { name: 'Bob', email: 'bob@example.com' },
      assigneeId: undefined,
      firstResponseAt: undefined,
      resolvedAt: undefined,
      decision: undefined,
      survey: undefined,
    });
    const cells = parseCsv(registerCsvRow(bare, options))[0] ?? [];
    const at = (key: (typeof REGISTER_COLUMNS)[number]) => cells[REGISTER_COLUMNS.indexOf(key)];
    expect(cells).toHaveLength(25);
    expect([at('assignee'), at('product'), at('amount'), at('currency'), at('phone'), at('first_response_at'), at('resolved_at'), at('outcome'), at('rejection_reason'), at('csat')]).toEqual(['', '', '', '', '', '', '', '', '', '']);
    expect(at('overdue')).toBe('yes'); // new, first response was due on 3 March
    expect(parseCsv(registerCsvRow(bare, { ...options, locale: 'ru' }))[0]?.at(-1)).toBe('да');
    expect(parseCsv(registerCsvRow(bare, { ...options, now: new Date('2026-03-02T12:00:00Z') }))[0]?.at(-1)).toBe('no');
    expect(at('rejection_reason')).toBe('');
    expect(parseCsv(registerCsvRow(claim({ decision: { outcome: 'accepted', remedy: 'refund', responseText: 'OK' } }), options))[0]?.slice(19, 21)).toEqual(['accepted', '']);
  });

  it('can write times in UTC', () => {
    const cells = parseCsv(registerCsvRow(claim(), { ...options, timezone: 'UTC' }))[0] ?? [];
    expect(cells[1]).toBe('2026-03-01T23:30:00+00:00');
  });
});

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks, doubling quotes (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
    expect(csvCell('')).toBe('');
    expect(csvCell('a;b')).toBe('a;b');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvCell('a,b', ';')).toBe('a,b');
  });

  it('defuses formulas: a leading =, +, -, @, tab or CR gets an apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('a=1')).toBe('a=1');
    expect(csvCell('2026-000123')).toBe('2026-000123');
  });

  it('reads back as the same cells, Cyrillic and all', () => {
    const tricky = claim({
      description: 'Крышка треснула, "как стекло";\r\nвторая строка\n=cmd|\' /C calc\'!A0',
      contact: { name: '=Иван, "Ваня"', email: 'ivan@example.com' },
      concerns: { product: '@Чайник', orderOrBatch: '-5' },
    });
    for (const delimiter of [',', ';'] as const) {
      const cells = parseCsv(registerCsvRow(tricky, { ...options, delimiter }), delimiter)[0] ?? [];
      expect(cells).toHaveLength(25);
      expect(cells[REGISTER_COLUMNS.indexOf('description')]).toBe(tricky.description);
      expect(cells[REGISTER_COLUMNS.indexOf('customer_name')]).toBe(`'${tricky.contact.name}`);
      expect(cells[REGISTER_COLUMNS.indexOf('product')]).toBe("'@Чайник");
      expect(cells[REGISTER_COLUMNS.indexOf('order_or_batch')]).toBe("'-5");
    }
  });
});

describe('amounts', () => {
  it('use a decimal comma with the ";" delimiter, so Russian Excel reads a number, not a date', () => {
    const small = claim({ concerns: { amount: { minor: 312, currency: 'RUB' } } });
    const cell = (delimiter: ',' | ';') => (parseCsv(registerCsvRow(small, { ...options, delimiter }), delimiter)[0] ?? [])[REGISTER_COLUMNS.indexOf('amount')];
    expect(cell(';')).toBe('3,12');
    expect(cell(',')).toBe('3.12');
  });
});

describe('the whole export', () => {
  it('is the header, then one row per claim as they arrive', async () => {
    async function* claims() {
      // claims arrive one by one, as from a database cursor
      for (const next of [claim(), claim({ number: '2026-000124', description: 'Вторая, с запятой.' })]) yield await Promise.resolve(next);
    }
    const chunks: string[] = [];
    for await (const chunk of registerCsv(claims(), { ...options, locale: 'ru' })) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    const text = chunks.join('');
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.split(UTF8_BOM)).toHaveLength(2); // one BOM, at the start
    const rows = parseCsv(text.slice(1));
    expect(rows.map((row) => row[0])).toEqual(['Номер', '2026-000123', '2026-000124']);
    expect(rows[2]?.[REGISTER_COLUMNS.indexOf('description')]).toBe('Вторая, с запятой.');
    expect(rows.every((row) => row.length === 25)).toBe(true);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
