import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelStatus, ConfigError, loadDeskConfig, loadEnv, parseDeskConfig } from '../src/config.js';
import { exampleDesk } from './support/fixtures.js';
import { BUILT_IN_NOTICE_VERSION, noticeVersion } from '../src/domain/desk.js';

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
    expect(desk.jobs).toEqual({ surveySweepEvery: '1 minute', slaSweepEvery: '1 minute', notifySweepEvery: '1 minute', staffSyncSweepEvery: '1 minute', idleSweepEvery: '5 minutes', housekeepingEvery: '1 hour' });
    // personal data (#26): the built-in notice and three years of audit records
    expect(desk.privacy).toEqual({});
    expect(noticeVersion(desk)).toBe(BUILT_IN_NOTICE_VERSION);
    expect(desk.audit).toEqual({ retentionDays: 1095 });
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
    [{ privacy: { notice: { ru: 'Согласие', en: 'Consent' } } }, /privacy\.version: expected a version of the notice/],
    [{ privacy: { policyUrl: 'javascript:alert(1)' } }, /privacy\.policyUrl: expected an http\(s\) URL/],
    [{ privacy: { version: '' } }, /privacy\.version: expected a version such as/],
    [{ audit: { retentionDays: 0 } }, /audit\.retentionDays: expected at least 1 day/],
    [{ audit: { retentionDays: 1.5 } }, /audit\.retentionDays: expected a whole number of days/],
  ])('names the path and the expectation: %j', (patch, message) => {
    const base = { desk: { name: { ru: 'Д', en: 'D' } }, departments: [{ id: 'a', name: { ru: 'А', en: 'A' } }], categories: [{ id: 'c', label: { ru: 'К', en: 'C' }, department: 'a' }] };
    const error = configError(() => parseDeskConfig({ ...base, ...patch }, 'desk.yaml'));
    expect(error.code).toBe('INVALID_DESK_CONFIG');
    expect(error.message).toMatch(/^desk config desk\.yaml: /);
    expect(error.message).toMatch(message);
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
