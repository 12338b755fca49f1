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
}
