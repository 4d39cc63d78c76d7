import { ApiError, type Api } from "../api.js";
import type { SessionInfo } from "../api-types.js";
import { fill, h } from "../dom.js";

/**
 * The key form. The key goes only into the POST body; the server answers with an HttpOnly session cookie, and
 * the input is cleared so the key does not stay in the page.
 */
export function showLogin(root: HTMLElement, api: Api, onLoggedIn: (s: SessionInfo) => void): void {
  const input = h("input", {
    type: "password",
    name: "key",
    id: "key",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "tl_…",
    required: true,
  });
  const message = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "login", "data-testid": "login" },
    h("h1", null, "tokenledger"),
    h("label", { for: "key" }, "API key"),
    input,
    submit,
    message,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    submit.disabled = true;
    message.textContent = "";
    api
      .login(key)
      .then((session) => {
        input.value = "";
        onLoggedIn(session);
      })
      .catch((err: unknown) => {
        message.textContent =
          err instanceof ApiError && err.status === 401
            ? "This key was not accepted (wrong, revoked or expired)."
            : `Sign-in failed: ${(err as Error).message}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  fill(root, form);
  input.focus();
}
