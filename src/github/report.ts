/** What a job tells the people who asked for it, wherever that is (a check run or a comment). */
export interface Report {
  conclusion: "success" | "failure" | "neutral" | "skipped" | "cancelled";
  title: string;
  /** Markdown. */
  summary: string;
  /** Longer markdown detail (check run text; folded in comments). */
  details?: string;
  /** Where the work landed, e.g. the pull request. */
  url?: string;
  /** Lines of the repository the report points at (check runs only; a comment leaves them out). */
  annotations?: readonly Annotation[];
}

/** One line of the repository a check run marks: where it failed, or where the diagnosis points. */
export interface Annotation {
  /** Relative to the repository root, checked to exist in the checkout. */
  path: string;
  line: number;
  level: "failure" | "notice";
  message: string;
}
