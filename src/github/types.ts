import type { ProbotOctokit } from "probot";

/** The Octokit the app works with: Probot's, with REST methods, pagination and config. */
export type Octokit = ProbotOctokit;
