import type { Locale } from '../../../src/domain/locale.js';
import { escapeHtml } from '../pages.js';
import { CATALOGUES, t, type MessageKey } from '../../../src/i18n/index.js';
import { WEB_FILE_LIMIT_BYTES, WEB_FILE_TYPES } from './files.js';

/**
 * The chat page's security policy: everything from this server only, no inline script or style
 * (texts and settings travel in data- attributes). No frame-ancestors: the page is meant to be
 * embedded in an iframe on the desk owner's site.
 */
export const CHAT_PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";


/** Texts the script shows, filled in here or (for `{size}`) by the script. */
const SCRIPT_TEXTS = {
  pending: 'web.chat.pending',
  uploading: 'web.chat.uploading',
  connecting: 'web.chat.connecting',
  offline: 'web.chat.offline',
  sizeKb: 'web.chat.size.kb',
  sizeMb: 'web.chat.size.mb',
  errorType: 'web.chat.error.type',
  errorUpload: 'web.chat.error.upload',
  errorRejected: 'web.chat.error.rejected',
  errorNotExpected: 'web.chat.error.not_expected',
  errorQuota: 'web.chat.error.quota',
  errorFull: 'web.chat.error.full',
  errorSession: 'web.chat.error.session',
  fromDesk: 'web.chat.from.desk',
  fromCustomer: 'web.chat.from.customer',
  choices: 'web.chat.choices',
  download: 'web.chat.download',
  errorDownload: 'web.chat.error.download',
} as const satisfies Record<string, MessageKey>;

/** The longest message the chat takes, as Telegram's (4096 characters). */
export const WEB_TEXT_LIMIT = 4096;

const MAX_MB = Math.round(WEB_FILE_LIMIT_BYTES / (1024 * 1024));

/**
 * The chat page, server-rendered in one language. The script (`chat/app.js`) reads its texts and
 * settings from data- attributes; every message is put on the page as text, never as markup.
 */
export function renderChatPage(locale: Locale, explicit: boolean): string {
  const say = (key: MessageKey) => escapeHtml(t(locale, key, { max: MAX_MB }));
  const data = Object.entries(SCRIPT_TEXTS)
    .map(([name, key]) => `data-t-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(CATALOGUES[locale][key])}"`)
    .join('\n      ');
  return `<!doctype html>
<html lang="${locale}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${say('web.chat.title')}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="chat/app.css">
  <script src="chat/app.js" defer></script>
</head>
<body>
  <main id="chat" class="chat" data-testid="chat"
      data-api="chat/api"
      data-lang="${explicit ? locale : ''}"
      data-max-bytes="${String(WEB_FILE_LIMIT_BYTES)}"
      data-types="${WEB_FILE_TYPES.join(',')}"
      data-t-error-too-large="${say('web.chat.error.too_large')}"
      ${data}>
    <header class="chat-head">
      <h1>${say('web.chat.title')}</h1>
      <p>${say('web.chat.subtitle')}</p>
    </header>
    <p id="chat-status" class="chat-status" role="status" aria-live="polite" data-testid="chat-status"></p>
    <ol id="chat-log" class="chat-log" data-testid="chat-log" aria-label="${say('web.chat.log')}" aria-live="polite" aria-relevant="additions" tabindex="0"></ol>
    <noscript><p class="chat-error">${say('web.chat.noscript')}</p></noscript>
    <p id="chat-error" class="chat-error" role="alert" data-testid="chat-error" hidden></p>
    <form id="chat-form" class="chat-form" autocomplete="off">
      <label for="chat-input" class="visually-hidden">${say('web.chat.input.label')}</label>
      <textarea id="chat-input" name="text" rows="1" maxlength="${String(WEB_TEXT_LIMIT)}" placeholder="${say('web.chat.input.placeholder')}" data-testid="chat-input" enterkeyhint="send" disabled></textarea>
      <label for="chat-file" class="chat-attach" id="chat-attach" title="${say('web.chat.attach.hint')}">
        <span aria-hidden="true">📎</span><span class="visually-hidden">${say('web.chat.attach')}</span>
      </label>
      <input id="chat-file" type="file" class="visually-hidden" multiple accept="${WEB_FILE_TYPES.join(',')},.heic,.heif" aria-describedby="chat-attach-hint" data-testid="chat-file" disabled>
      <button id="chat-send" type="submit" data-testid="chat-send" disabled>${say('web.chat.send')}</button>
      <p id="chat-attach-hint" class="visually-hidden">${say('web.chat.attach.hint')}</p>
    </form>
  </main>
</body>
</html>
`;
}
