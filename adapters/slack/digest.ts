import type { DeskConfig } from '../../src/domain/desk.js';
import type { SlackApi } from './api.js';
import type { DepartmentStats } from '../../src/domain/stats.js';
import { digestMessage } from './render.js';

/**
 * Posts a department's digest to its Slack channel, in the desk's language; false when the
 * department has no channel.
 * @example const post = slackDigestPoster(api, desk); await post('quality', stats, since);
 */
export function slackDigestPoster(api: SlackApi, desk: DeskConfig): (department: string, numbers: DepartmentStats, since: Date) => Promise<boolean> {
  return async (department, numbers, since) => {
    const channel = desk.departments.find((candidate) => candidate.id === department)?.slackChannel;
    if (!channel) return false;
    const message = digestMessage({ desk, locale: desk.desk.defaultLocale }, department, numbers, since);
    await api.postMessage({ channel, text: message.text, blocks: message.blocks });
    return true;
  };
}
