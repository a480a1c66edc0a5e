import type { z } from 'zod';

/** Renders an issue path as `categories[2].department`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * One line per zod issue, each naming the path and what was expected.
 * @example formatIssues(result.error) // ["PORT: Invalid input: expected number, received NaN"]
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}
