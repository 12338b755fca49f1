import { html, trusted, type Html } from "./html.ts";

/** The whole style sheet, inline (the page's CSP allows inline styles and nothing else). */
const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #24292f; color: #fff; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header form { margin-left: auto; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.8rem 0 .6rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.when, td.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
td.when { white-space: nowrap; color: var(--muted); }
td.kind { white-space: nowrap; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow: auto; max-height: 36rem;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; }
pre .add { color: #116329; background: #dafbe1; } pre .del { color: #82071e; background: #ffebe9; } pre .hunk { color: #8250df; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.state-queued { background: #fff8c5; border-color: #d4a72c; } .state-running { background: #ddf4ff; border-color: #54aeff; }
.state-succeeded { background: #dafbe1; border-color: #4ac26b; } .state-failed { background: #ffebe9; border-color: #ff8182; }
.state-skipped, .state-cancelled { background: #eff2f5; border-color: #afb8c1; }
.muted { color: var(--muted); }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; }
.error { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
button { cursor: pointer; background: var(--bg); }
button.danger { background: #cf222e; color: #fff; border-color: #a40e26; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
td ul, dd ul { margin: 0; padding-left: 1.1rem; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 2px solid var(--line); }
ol.timeline li { position: relative; padding: .25rem 0 .25rem 1rem; }
ol.timeline li::before { content: ""; position: absolute; left: -1.45rem; top: .7rem; width: .7rem; height: .7rem; border-radius: 50%; background: var(--accent); }
ol.timeline li.bad::before { background: #cf222e; } ol.timeline li.good::before { background: #1a7f37; }
ol.timeline .at { display: inline-block; min-width: 5.5rem; color: var(--muted); font-family: ui-monospace, monospace; font-size: 12.5px; }
ol.timeline .kind { display: inline-block; min-width: 8rem; font-weight: 600; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 2rem; }
details summary { cursor: pointer; color: var(--accent); }
.login { max-width: 24rem; margin: 4rem auto; } .login input { width: 100%; margin: .5rem 0 1rem; }
`;

/** A whole page: the header (with a sign-out button when signed in by the form), then `body`. */
export function layout(title: string, body: Html, options: { csrf?: string } = {}): Html {
  const signOut =
    options.csrf === undefined
      ? null
      : html`<form method="post" action="/patchwright/logout"><input type="hidden" name="csrf" value="${options.csrf}"><button type="submit">Sign out</button></form>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><title>${title} · Patchwright</title><style>${trusted(STYLE)}</style></head>
<body><header><a href="/patchwright/jobs">Patchwright</a><a href="/patchwright/jobs">Jobs</a>${signOut}</header>
<main>${body}</main></body></html>`;
}

/** A job state as a coloured badge. */
export function stateBadge(state: string): Html {
  return html`<span class="state state-${/^[a-z]+$/.test(state) ? state : "unknown"}">${state}</span>`;
}
