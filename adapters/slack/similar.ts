import type { DeskConfig } from '../../src/domain/desk.js';
import type { Locale } from '../../src/domain/locale.js';
import { t } from '../../src/i18n/index.js';
import type { SimilarFinding } from '../../src/similar-claims.js';
import { escapeMrkdwn, truncate, type SlackMessage } from './render.js';

/**
 * The similar earlier claims (#24), as a reply in a claim's Slack thread: each one's number,
 * status, similarity, root cause and actions — never its description (a channel's readers are
 * not known to be allowed to see it: src/domain/similarity.ts `similarForViewer`).
 * @example similarThread(desk, 'ru', found) // { text: 'Похожие претензии раньше:\n• 2026-000012 · …', blocks: [...] }
 */
export function similarThread(desk: DeskConfig, locale: Locale, found: readonly SimilarFinding[]): SlackMessage {
  const lines = found.map((match) => {
    const cause = [match.claim.causeCategory ? (desk.causeCategories.find((item) => item.id === match.claim.causeCategory)?.label[locale] ?? match.claim.causeCategory) : '', match.claim.rootCause ?? ''].filter(Boolean).join(': ');
    const actions = match.actions.map((action) => `${action.number} (${t(locale, `capa.status.${action.status}`)})`).join(', ');
    return `• ${t(locale, 'analysis.similar.line', {
      number: match.claim.number,
      status: t(locale, `staff.status.${match.claim.status}`),
      score: Math.round(match.score * 100),
      cause: cause ? t(locale, 'analysis.similar.cause', { cause: escapeMrkdwn(truncate(cause, 200)) }) : '',
      actions: actions ? t(locale, 'analysis.similar.actions', { actions }) : '',
    })}`;
  });
  const text = [t(locale, 'analysis.similar.title'), ...lines].join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
