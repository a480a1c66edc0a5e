/** A department's numbers for the periodic digest: received and resolved in the period, open and overdue now. */
export interface DepartmentStats {
  readonly received: number;
  readonly open: number;
  readonly overdue: number;
  readonly resolved: number;
  /** Survey answers given in the period, and their average score (1–5). */
  readonly answers: number;
  readonly csat?: number;
}
