import { type Plan, plan, type Step } from "./steps.js";

/**
 * Pure: a node's plan with its hooks around it — every pre_hook before the first statement, every
 * post_hook after the last (persist_docs' COMMENTs included), each in the order configured. A hook is a
 * step like any other: when one fails, the node fails and the steps after it do not run. A blank hook
 * (a template that rendered to nothing, e.g. an `{{#if}}` not taken) is no statement.
 */
export function withHooks(built: Plan, pre: readonly string[], post: readonly string[]): Plan {
  const hooks = (when: "pre" | "post", sqls: readonly string[]): Step[] =>
    sqls.filter((sql) => sql.replace(/[\s;]+/g, "") !== "").map((sql) => ({ kind: "hook", when, sql }));
  if (pre.length === 0 && post.length === 0) return built;
  return plan([...hooks("pre", pre), ...built.steps, ...hooks("post", post)], built.cleanup);
}
