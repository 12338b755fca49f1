import { html, type Html } from "./html.ts";

/** The sign-in form: the operator token, posted back here; `next` is where to go after (a dashboard path). */
export function renderLoginPage(args: { next: string; problem?: string }): Html {
  return html`<div class="login"><h1>Sign in</h1>
<p class="muted">Paste the operator token (<code>PATCHWRIGHT_OPERATOR_TOKEN</code> of this app).</p>
${args.problem === undefined ? null : html`<p class="error" id="problem">${args.problem}</p>`}
<form method="post" action="/patchwright/login">
<input type="hidden" name="next" value="${args.next}">
<label for="token">Operator token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form></div>`;
}
