import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { DeskConfig } from './domain/desk.js';
import { formatIssues } from './domain/zod-issues.js';

/** Why the app refused to start; the message is one line that names the field and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: 'INVALID_ENV' | 'INVALID_DESK_CONFIG' | 'DESK_CONFIG_UNREADABLE' | 'TELEGRAM_REFUSED' | 'SLACK_REFUSED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const Url = (example: string) => z.url(`expected a URL such as ${example}`);

/** A sender as SMTP_FROM gives it: `desk@example.com` or `Name <desk@example.com>`. */
function isFromAddress(value: string): boolean {
  const address = /^[^<>]*<([^<>\s]+)>$/.exec(value.trim())?.[1] ?? value.trim();
  return z.email().safeParse(address).success;
}

/** The environment the app reads (12-factor); empty values count as unset. */
export const EnvConfig = z
  .object({
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'expected a MongoDB connection string such as mongodb://localhost:27017/claimdesk')
      .optional(),
    PORT: z.coerce
      .number('expected a port number')
      .int('expected a whole port number')
      .min(0, 'expected a port from 0 to 65535')
      .max(65535, 'expected a port from 0 to 65535')
      .default(3000),
    /** Unset: all interfaces (0.0.0.0), or only this machine (127.0.0.1) while staff have the example console password. */
    HOST: z.string().min(1).optional(),
    PUBLIC_URL: Url('https://desk.example.com').optional(),
    TRUST_PROXY: z
      .string()
      .regex(/^[0-5]$/, 'expected the number of reverse proxies in front of the desk, 0 to 5 (each appends the client address to X-Forwarded-For)')
      .transform(Number)
      .default(0),
    WEB_UPLOADS_MAX_MB: z.coerce
      .number('expected the megabytes all web chat uploads may take together, e.g. 2048')
      .int('expected a whole number of megabytes, e.g. 2048')
      .min(1, 'expected at least 1 megabyte')
      .default(2048),
    DESK_CONFIG: z.string().min(1).default('config/desk.example.yaml'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], 'expected one of debug, info, warn, error').default('info'),
    /** JSON lines (default), or human-readable lines through pino-pretty for a terminal. */
    LOG_FORMAT: z.enum(['json', 'pretty'], 'expected json or pretty').default('json'),
    /** A bearer token for GET /metrics; without it /metrics is served only on loopback or with METRICS_PUBLIC=true. */
    METRICS_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, 'expected 16–256 characters of A-Z, a-z, 0-9 or ._~+/=- (a bearer token)')
      .optional(),
    /** Serve GET /metrics without a token on every interface (behind a network that keeps it private). */
    METRICS_PUBLIC: z
      .enum(['true', 'false'], 'expected true or false')
      .transform((value) => value === 'true')
      .default(false),
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected a bot token from @BotFather such as 123456:ABC-DEF…').optional(),
    TELEGRAM_API_ROOT: Url('https://api.telegram.org').optional(),
    TELEGRAM_MODE: z.enum(['polling', 'webhook'], 'expected polling or webhook').default('polling'),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'expected 16–256 characters of A-Z, a-z, 0-9, "_" or "-"')
      .optional(),
    TELEGRAM_BULK_PER_SECOND: z.coerce
      .number('expected a whole number of messages per second from 1 to 30')
      .int('expected a whole number of messages per second from 1 to 30')
      .min(1, 'expected a whole number of messages per second from 1 to 30')
      .max(30, 'expected at most 30 messages per second (Telegram\'s limit for a bot; the instances of the desk share it)')
      .default(30),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-\S+$/, 'expected a bot token starting with xoxb-').optional(),
    SLACK_SIGNING_SECRET: z.string().regex(/^[0-9a-f]{16,}$/i, 'expected the app\'s signing secret (hex)').optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-\S+$/, 'expected an app-level token starting with xapp- (Socket Mode)').optional(),
    SLACK_API_URL: Url('https://slack.com/api/').optional(),
    /** The SMTP server customers' e-mail notices go through (#25), e.g. smtps://user:password@mail.example.com:465. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s/?#]+(:\d+)?\/?(\?\S*)?$/, 'expected an SMTP URL such as smtps://user:password@mail.example.com:465 or smtp://127.0.0.1:25')
      .optional(),
    /** Who the e-mail notices are from: an address, optionally with a name ("Claims desk <desk@example.com>"). */
    SMTP_FROM: z
      .string()
      .max(320)
      .refine(isFromAddress, 'expected a sender address such as desk@example.com or "Claims desk <desk@example.com>"')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_MODE === 'webhook' && env.TELEGRAM_BOT_TOKEN) {
      if (!env.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'expected the public https URL Telegram will call, required when TELEGRAM_MODE=webhook' });
      if (!env.TELEGRAM_WEBHOOK_SECRET) ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'expected a secret token, required when TELEGRAM_MODE=webhook' });
    }
    if (env.SMTP_URL && !env.SMTP_FROM) ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'expected the sender address of e-mail notices, required when SMTP_URL is set' });
    if (env.SMTP_FROM && !env.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'expected the SMTP server to send through, required when SMTP_FROM is set' });
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'expected the signing secret (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) when SLACK_BOT_TOKEN is set' });
    }
  });
export type EnvConfig = z.infer<typeof EnvConfig>;

/**
 * Reads and validates the environment. Throws a ConfigError whose one-line message names every
 * bad variable and what it expects.
 * @example const env = loadEnv(process.env);
 */
export function loadEnv(source: NodeJS.ProcessEnv): EnvConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = EnvConfig.safeParse(present);
  if (!result.success) throw new ConfigError('INVALID_ENV', `config error: ${formatIssues(result.error).join('; ')}`);
  return result.data;
}

/**
 * Validates a desk configuration already read into an object.
 * @example const desk = parseDeskConfig(JSON.parse(text), 'desk.json');
 */
export function parseDeskConfig(raw: unknown, source: string): DeskConfig {
  const result = DeskConfig.safeParse(raw);
  if (!result.success) throw new ConfigError('INVALID_DESK_CONFIG', `desk config ${source}: ${formatIssues(result.error).join('; ')}`);
  return result.data;
}

/**
 * Reads the desk configuration file (YAML or JSON; JSON is valid YAML) and validates it.
 * @example const desk = await loadDeskConfig('config/desk.example.yaml');
 */
export async function loadDeskConfig(file: string, cwd = process.cwd()): Promise<DeskConfig> {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (cause) {
    throw new ConfigError('DESK_CONFIG_UNREADABLE', `desk config ${file}: cannot read the file (DESK_CONFIG should name a readable YAML or JSON file)`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : 'unreadable';
    throw new ConfigError('INVALID_DESK_CONFIG', `desk config ${file}: not valid YAML or JSON (${detail ?? 'unreadable'})`, { cause });
  }
  return parseDeskConfig(raw, file);
}

/** Whether each channel can run with this environment, and if not, which variable is missing. */
export function channelStatus(env: EnvConfig): { telegram: string | null; slack: string | null } {
  return {
    telegram: env.TELEGRAM_BOT_TOKEN ? null : 'TELEGRAM_BOT_TOKEN is not set',
    slack: env.SLACK_BOT_TOKEN ? null : 'SLACK_BOT_TOKEN is not set',
  };
}
