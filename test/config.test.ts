import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv, parseDeskConfig } from '../src/config.js';
import { exampleDesk } from './support/fixtures.js';
import { BUILT_IN_NOTICE_VERSION, noticeVersion, retentionOf } from '../src/domain/desk.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('environment', () => {
  it('applies defaults and treats empty values as unset', () => {
    const env = loadEnv({ TELEGRAM_BOT_TOKEN: '', PORT: '' });
    expect(env).toMatchObject({ PORT: 3000, TELEGRAM_MODE: 'polling', DESK_CONFIG: 'config/desk.example.yaml', LOG_LEVEL: 'info' });
    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(channelStatus(env)).toEqual({ telegram: 'TELEGRAM_BOT_TOKEN is not set', slack: 'SLACK_BOT_TOKEN is not set' });
  });

  it('names the variable and what it expects, on one line', () => {
    const error = configError(() => loadEnv({ PORT: 'eighty', MONGODB_URI: 'localhost:27017' }));
    expect(error.code).toBe('INVALID_ENV');
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/PORT: expected a port number/);
    expect(error.message).toMatch(/MONGODB_URI: expected a MongoDB connection string/);
  });

  it('asks for the public URL and the secret in webhook mode', () => {
    const error = configError(() => loadEnv({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', TELEGRAM_MODE: 'webhook' }));
    expect(error.message).toMatch(/PUBLIC_URL: .*required when TELEGRAM_MODE=webhook/);
    expect(error.message).toMatch(/TELEGRAM_WEBHOOK_SECRET: /);
  });

  it('e-mail notices (#25): SMTP_URL and SMTP_FROM are checked and go together, each named', () => {
    expect(loadEnv({ SMTP_URL: 'smtps://desk:secret@mail.example.com:465', SMTP_FROM: 'Claims desk <desk@example.com>' })).toMatchObject({ SMTP_URL: 'smtps://desk:secret@mail.example.com:465', SMTP_FROM: 'Claims desk <desk@example.com>' });
    expect(loadEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'desk@example.com' }).SMTP_FROM).toBe('desk@example.com');
    expect(configError(() => loadEnv({ SMTP_URL: 'http://mail.example.com', SMTP_FROM: 'desk@example.com' })).message).toMatch(/SMTP_URL: expected an SMTP URL such as smtps:/);
    expect(configError(() => loadEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'desk' })).message).toMatch(/SMTP_FROM: expected a sender address/);
    expect(configError(() => loadEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'Desk <not an address>' })).message).toMatch(/SMTP_FROM: expected a sender address/);
    expect(configError(() => loadEnv({ SMTP_URL: 'smtp://127.0.0.1:2525' })).message).toMatch(/SMTP_FROM: expected the sender address of e-mail notices, required when SMTP_URL is set/);
    expect(configError(() => loadEnv({ SMTP_FROM: 'desk@example.com' })).message).toMatch(/SMTP_URL: expected the SMTP server/);
  });

  it('refuses a port out of range and a malformed token', () => {
    expect(configError(() => loadEnv({ PORT: '70000' })).message).toMatch(/PORT: expected a port from 0 to 65535/);
    expect(configError(() => loadEnv({ TELEGRAM_BOT_TOKEN: 'hello' })).message).toMatch(/TELEGRAM_BOT_TOKEN: expected a bot token/);
    expect(configError(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).message).toMatch(/SLACK_SIGNING_SECRET/);
  });

  it('takes TRUST_PROXY as the number of reverse proxies, 0 to 5 (default 0), naming it when wrong', () => {
    expect(loadEnv({}).TRUST_PROXY).toBe(0);
    expect(loadEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    for (const wrong of ['true', '-1', '6', '1.5', 'loopback']) {
      expect(configError(() => loadEnv({ TRUST_PROXY: wrong })).message).toMatch(/^config error: TRUST_PROXY: expected the number of reverse proxies in front of the desk, 0 to 5/);
    }
  });

  it('takes WEB_UPLOADS_MAX_MB as whole megabytes (default 2048), naming it when wrong', () => {
    expect(loadEnv({}).WEB_UPLOADS_MAX_MB).toBe(2048);
    expect(loadEnv({ WEB_UPLOADS_MAX_MB: '500' }).WEB_UPLOADS_MAX_MB).toBe(500);
    expect(configError(() => loadEnv({ WEB_UPLOADS_MAX_MB: 'lots' })).message).toMatch(/^config error: WEB_UPLOADS_MAX_MB: expected the megabytes all web chat uploads may take together/);
    expect(configError(() => loadEnv({ WEB_UPLOADS_MAX_MB: '0' })).message).toMatch(/WEB_UPLOADS_MAX_MB: expected at least 1 megabyte/);
  });

  it('takes the Telegram bulk rate as a whole number from 1 to 30 (default 30)', () => {
    expect(loadEnv({}).TELEGRAM_BULK_PER_SECOND).toBe(30);
    expect(loadEnv({ TELEGRAM_BULK_PER_SECOND: '10' }).TELEGRAM_BULK_PER_SECOND).toBe(10);
    expect(configError(() => loadEnv({ TELEGRAM_BULK_PER_SECOND: 'fast' })).message).toMatch(/TELEGRAM_BULK_PER_SECOND: expected a whole number of messages per second/);
    expect(configError(() => loadEnv({ TELEGRAM_BULK_PER_SECOND: '2.5' })).message).toMatch(/TELEGRAM_BULK_PER_SECOND: expected a whole number/);
    expect(configError(() => loadEnv({ TELEGRAM_BULK_PER_SECOND: '45' })).message).toMatch(/TELEGRAM_BULK_PER_SECOND: expected at most 30 messages per second .*instances of the desk share it/);
  });

  it('takes LOG_FORMAT json (default) or pretty and LOG_LEVEL, naming them when wrong', () => {
    expect(loadEnv({})).toMatchObject({ LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
    expect(loadEnv({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' })).toMatchObject({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' });
    expect(configError(() => loadEnv({ LOG_FORMAT: 'text' })).message).toBe('config error: LOG_FORMAT: expected json or pretty');
    expect(configError(() => loadEnv({ LOG_LEVEL: 'verbose' })).message).toBe('config error: LOG_LEVEL: expected one of debug, info, warn, error');
  });

  it('takes METRICS_TOKEN as a bearer token and METRICS_PUBLIC as true or false (default false), naming them when wrong', () => {
    expect(loadEnv({})).toMatchObject({ METRICS_PUBLIC: false });
    expect(loadEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(loadEnv({ METRICS_TOKEN: 'scrape-token-0123456789', METRICS_PUBLIC: 'true' })).toMatchObject({ METRICS_TOKEN: 'scrape-token-0123456789', METRICS_PUBLIC: true });
    expect(loadEnv({ METRICS_PUBLIC: 'false' }).METRICS_PUBLIC).toBe(false);
    expect(configError(() => loadEnv({ METRICS_TOKEN: 'short' })).message).toMatch(/^config error: METRICS_TOKEN: expected 16–256 characters/);
    expect(configError(() => loadEnv({ METRICS_TOKEN: 'has spaces in the token' })).message).toMatch(/^config error: METRICS_TOKEN: /);
    expect(configError(() => loadEnv({ METRICS_PUBLIC: 'yes' })).message).toBe('config error: METRICS_PUBLIC: expected true or false');
  });
});

describe('desk configuration', () => {
  it('loads the shipped example', async () => {
    const desk = await exampleDesk();
    expect(desk.categories.map((c) => c.id)).toContain('defect');
    expect(desk.sla.firstResponseHours).toBe(24);
    expect(desk.desk.timezone).toBe('Europe/Moscow');
  });

  it('fills defaults for a minimal desk', () => {
    const desk = parseDeskConfig(
      { desk: { name: { ru: 'Д', en: 'D' } }, departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }], categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }] },
      'inline',
    );
    expect(desk.sla).toMatchObject({ firstResponseHours: 24, resolutionHours: 240 });
    expect(desk.survey.windowHours).toBe(72);
    expect(desk.desk).toMatchObject({ timezone: 'UTC', defaultLocale: 'ru' });
    // #24: the 6M of an Ishikawa diagram, with ru/en labels; no warranty period unless set
    expect(desk.causeCategories.map((cause) => cause.id)).toEqual(['people', 'machines', 'methods', 'materials', 'measurement', 'environment']);
    expect(desk.causeCategories[1]?.label).toEqual({ ru: 'Оборудование', en: 'Machines' });
    expect(desk.products).toEqual([]);
    expect(desk.analysis).toEqual({ effectivenessDays: 90, similarDays: 180, similarTop: 5, similarThreshold: 0.2 });
    expect(desk.categories[0]?.warrantyMonths).toBeUndefined();
    expect(desk.jobs).toEqual({ surveySweepEvery: '1 minute', slaSweepEvery: '1 minute', notifySweepEvery: '1 minute', staffSyncSweepEvery: '1 minute', idleSweepEvery: '5 minutes', housekeepingEvery: '1 hour', capaSweepEvery: '1 minute', fulfilmentSweepEvery: '1 minute' });
    expect(desk.capa).toEqual({ remindBeforeHours: 24, escalateAfterHours: 24 });
    expect(desk.desk).toMatchObject({ currency: 'RUB' });
    // personal data (#26): the built-in notice and three years of audit records
    expect(desk.privacy).toEqual({});
    expect(noticeVersion(desk)).toBe(BUILT_IN_NOTICE_VERSION);
    expect(desk.audit).toEqual({ retentionDays: 1095 });
    // the customer's rights (#26): closed claims' personal data kept three years, abandoned web chats 30 days
    expect(retentionOf(desk)).toEqual({ closedClaimsDays: 1095, abandonedWebChatDays: 30 });
    // decisions (#25): no amount needs approval unless set; rejections of high and critical claims do
    expect(desk.decisions).toEqual({ approveRejectionsOf: ['high', 'critical'], fulfilmentEscalateAfterHours: 24 });
  });

  it('takes the sweeps\' cadence from the desk (an acceptance run may make the survey sweep run every 10 s)', () => {
    const desk = parseDeskConfig(
      { desk: { name: { ru: 'Д', en: 'D' } }, departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }], categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }], jobs: { surveySweepEvery: '10 seconds', housekeepingEvery: 600_000 } },
      'inline',
    );
    expect(desk.jobs).toMatchObject({ surveySweepEvery: '10 seconds', housekeepingEvery: 600_000, slaSweepEvery: '1 minute' });
  });

  it.each([
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'qa' }] }, /categories\[0\]\.department: expected one of the departments \(a\), got "qa"/],
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a', notify: ['nobody'] }] }, /categories\[0\]\.notify\[0\]: expected one of the departments/],
    [{ staff: [{ id: 'x', name: 'X', roles: ['boss'] }] }, /staff\[0\]\.roles\[0\]: /],
    [{ staff: [{ id: 'x', name: 'X', roles: [] }] }, /staff\[0\]\.roles: expected at least one role/],
    [{ staff: [{ id: 'x', name: 'X', roles: ['head'], slack: { teamId: 'T0123', userId: 'nobody' } }] }, /staff\[0\]\.slack\.userId: expected a Slack user id/],
    [{ sla: { warnAtShare: 1.5 } }, /sla\.warnAtShare: expected a share between 0 and 1/],
    [{ sla: { categories: { ghost: { resolutionHours: 5 } } } }, /sla\.categories\.ghost: expected one of the categories/],
    [{ desk: { name: { ru: 'Д', en: 'D' }, timezone: 'Mars/Olympus' } }, /desk\.timezone: expected an IANA time zone/],
    [{ departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }, { id: 'a', name: { ru: 'Б', en: 'B' } }] }, /departments\[1\]\.id: expected a unique id/],
    [{ surprise: true }, /\(root\): .*surprise/],
    [{ jobs: { surveySweepEvery: 'often' } }, /jobs\.surveySweepEvery: .*expected an interval such as "30 seconds"/],
    [{ jobs: { slaSweepEvery: 10 } }, /jobs\.slaSweepEvery: .*expected at least 1000 milliseconds/],
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a', warrantyMonths: 0 }] }, /categories\[0\]\.warrantyMonths: expected a positive number of months/],
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a', warrantyMonths: 1.5 }] }, /categories\[0\]\.warrantyMonths: expected a whole number of months/],
    [{ causeCategories: [] }, /causeCategories: expected at least one cause category/],
    [{ causeCategories: [{ id: 'x', label: { ru: 'Х', en: 'X' } }, { id: 'x', label: { ru: 'Y', en: 'Y' } }] }, /causeCategories\[1\]\.id: expected a unique id/],
    [{ causeCategories: [{ id: 'x', label: { ru: 'Х' } }] }, /causeCategories\[0\]\.label\.en: /],
    [{ capa: { remindBeforeHours: -2 } }, /capa\.remindBeforeHours: expected a positive number of hours/],
    [{ capa: { escalateAfter: 5 } }, /capa: .*escalateAfter/],
    // #25: the desk's currency, staff positions, the templates' outcomes and placeholders
    [{ desk: { name: { ru: 'Д', en: 'D' }, currency: 'rubles' } }, /desk\.currency: expected an ISO 4217 currency code such as RUB/],
    [{ staff: [{ id: 'x', name: 'X', roles: ['head'], position: { ru: 'Глава' } }] }, /staff\[0\]\.position\.en: /],
    [{ templates: [{ id: 't1', outcome: 'maybe', title: { ru: 'Т', en: 'T' }, text: { ru: 'т', en: 't' } }] }, /templates\[0\]\.outcome: /],
    [
      { templates: [{ id: 'refund-ok', outcome: 'accepted', title: { ru: 'Т', en: 'T' }, text: { ru: 'Претензия {number}: {remedy}', en: 'Claim {number}: {remedi}, {sum}' } }] },
      /templates\[0\]\.text\.en: template "refund-ok" uses an unknown placeholder \{remedi\}, \{sum\}; expected one of \{number\}, \{date\}, \{essence\}, \{decision\}, \{remedy\}, \{amount\}, \{measures\}, \{signer\}/,
    ],
    [{ privacy: { notice: { ru: 'Согласие', en: 'Consent' } } }, /privacy\.version: expected a version of the notice/],
    [{ privacy: { policyUrl: 'javascript:alert(1)' } }, /privacy\.policyUrl: expected an http\(s\) URL/],
    [{ privacy: { version: '' } }, /privacy\.version: expected a version such as/],
    // intake (#25): the categories' extra fields, the desk's own acknowledgement and question texts
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a', fields: { amount: 'always' } }] }, /categories\[0\]\.fields\.amount: /],
    [{ categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a', fields: { price: 'required' } }] }, /categories\[0\]\.fields: .*price/],
    [
      { customerTexts: { acknowledgement: { ru: 'Обращение № {number} принято', en: 'Claim {number} of {dat} is registered' } } },
      /customerTexts\.acknowledgement\.en: template "acknowledgement" uses an unknown placeholder \{dat\}; expected one of \{number\}, \{date\}, \{essence\}, \{department\}, \{due\}/,
    ],
    [
      { customerTexts: { question: { ru: 'Вопрос по № {number}: {remedy}', en: 'About {number}: {question}' } } },
      /customerTexts\.question\.ru: template "question" uses an unknown placeholder \{remedy\}; expected one of \{number\}, \{date\}, \{essence\}, \{question\}/,
    ],
    [{ customerTexts: { acknowledgement: { ru: 'Принято' } } }, /customerTexts\.acknowledgement\.en: /],
    [{ customerTexts: { greeting: { ru: 'Привет', en: 'Hi' } } }, /customerTexts: .*greeting/],
    [{ audit: { retentionDays: 0 } }, /audit\.retentionDays: expected at least 1 day/],
    [{ privacy: { retention: { closedClaimsDays: 0 } } }, /privacy\.retention\.closedClaimsDays: expected at least 1 day/],
    [{ privacy: { retention: { closedClaimsDays: 'three years' } } }, /privacy\.retention\.closedClaimsDays: /],
    [{ privacy: { retention: { abandonedWebChatDays: 2.5 } } }, /privacy\.retention\.abandonedWebChatDays: expected a whole number of days/],
    [{ privacy: { retention: { keepForever: true } } }, /privacy\.retention: /],
    // decisions (#25)
    [{ decisions: { approvalOver: -5 } }, /decisions\.approvalOver: expected a positive amount/],
    [{ decisions: { approvalOver: '50 000' } }, /decisions\.approvalOver: /],
    [{ decisions: { approveRejectionsOf: ['urgent'] } }, /decisions\.approveRejectionsOf\[0\]: /],
    [{ decisions: { fulfilmentEscalateAfterHours: 0 } }, /decisions\.fulfilmentEscalateAfterHours: expected a positive number of hours/],
    [{ decisions: { surprise: 1 } }, /decisions: .*surprise/],
    [{ jobs: { fulfilmentSweepEvery: 'often' } }, /jobs\.fulfilmentSweepEvery: .*expected an interval/],
    [{ audit: { retentionDays: 1.5 } }, /audit\.retentionDays: expected a whole number of days/],
    // #24 analysis: the product catalogue and the analysis settings
    [{ products: [{ id: 'kt', name: { ru: 'Чайник' } }] }, /products\[0\]\.name\.en: /],
    [{ products: [{ id: 'kt', name: { ru: 'Ч', en: 'K' }, aliases: [''] }] }, /products\[0\]\.aliases\[0\]: expected an alias of at least one character/],
    [{ products: [{ id: 'kt', name: { ru: 'Ч', en: 'K' }, aliases: ['--'] }] }, /products\[0\]\.aliases\[0\]: expected a name with letters or digits/],
    [{ products: [{ id: 'kt', name: { ru: 'Ч', en: 'K' } }, { id: 'kt', name: { ru: 'Ч2', en: 'K2' } }] }, /products\[1\]\.id: expected a unique id/],
    [
      { products: [{ id: 'kt200', name: { ru: 'Чайник КТ-200', en: 'Kettle KT-200' } }, { id: 'kt300', name: { ru: 'Чайник КТ-300', en: 'Kettle KT-300' }, aliases: ['kettle kt 200'] }] },
      /products\[1\]\.aliases\[0\]: "kettle kt 200" is also a name of product "kt200"/,
    ],
    [{ products: [{ id: 'kt', name: { ru: 'Ч', en: 'K' }, color: 'red' }] }, /products\[0\]: .*color/],
    [{ analysis: { effectivenessDays: 0 } }, /analysis\.effectivenessDays: expected at least 1 day/],
    [{ analysis: { similarDays: 30.5 } }, /analysis\.similarDays: expected a whole number of days/],
    [{ analysis: { similarTop: 0 } }, /analysis\.similarTop: expected at least 1/],
    [{ analysis: { similarThreshold: 1.5 } }, /analysis\.similarThreshold: expected a share between 0 and 1/],
  ])('names the path and the expectation: %j', (patch, message) => {
    const base = { desk: { name: { ru: 'Д', en: 'D' } }, departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }], categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }] };
    const error = configError(() => parseDeskConfig({ ...base, ...patch }, 'desk.yaml'));
    expect(error.code).toBe('INVALID_DESK_CONFIG');
    expect(error.message).toMatch(/^desk config desk\.yaml: /);
    expect(error.message).toMatch(message);
  });

  it('takes every placeholder in a template, a partial-acceptance template and a position (#25)', () => {
    const desk = parseDeskConfig(
      {
        desk: { name: { ru: 'Д', en: 'D' }, currency: 'USD' },
        departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }],
        categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }],
        staff: [{ id: 'x', name: 'X', roles: ['head'], position: { ru: 'Глава', en: 'Head' } }],
        templates: [{ id: 't', outcome: 'partially_accepted', title: { ru: 'Т', en: 'T' }, text: { ru: '{number} {date} {essence} {decision} {remedy} {amount} {measures} {signer}', en: '{number}' } }],
      },
      'inline',
    );
    expect(desk.desk.currency).toBe('USD');
    expect(desk.staff[0]?.position).toEqual({ ru: 'Глава', en: 'Head' });
    expect(desk.templates[0]?.outcome).toBe('partially_accepted');
  });

  it('reports a missing file and broken YAML clearly', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'claimdesk-config-'));
    await expect(loadDeskConfig('missing.yaml', dir)).rejects.toThrow(/missing\.yaml: cannot read/);
    await expect(loadDeskConfig('missing.yaml', dir)).rejects.toHaveProperty('code', 'DESK_CONFIG_UNREADABLE');
    await writeFile(path.join(dir, 'broken.yaml'), 'desk: [unclosed\n');
    await expect(loadDeskConfig('broken.yaml', dir)).rejects.toThrow(/broken\.yaml: not valid YAML or JSON/);
    await expect(loadDeskConfig('broken.yaml', dir)).rejects.toHaveProperty('code', 'INVALID_DESK_CONFIG');
    await writeFile(path.join(dir, 'desk.json'), JSON.stringify({ desk: { name: { ru: 'Д', en: 'D' } }, departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }], categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }] }));
    await expect(loadDeskConfig('desk.json', dir)).resolves.toMatchObject({ categories: [{ id: 'c' }] });
  });
});
