import { useState } from "preact/hooks";
import { unwrap } from "../../api/client";
import { api } from "../../app/api";
import { useT } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Field } from "../../ui/Field";
import { Alert, Screen } from "../../ui/Screen";

/** Organizers sign in by a link sent to their address; it lands on /login, which brings them back here. */
export function OrganizerSignIn() {
  const t = useT();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function request(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST("/api/auth/organizers/magic-link", { body: { email: email.trim() } }));
      setSent(true);
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Screen title={t("org.signIn.title")}>
      {sent ? (
        <p role="status">{t("org.signIn.sent")}</p>
      ) : (
        <form onSubmit={request} class="stack">
          <p>{t("org.signIn.intro")}</p>
          <Field
            id="organizer-email"
            label={t("login.email")}
            type="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            autoComplete="email"
          />
          <Alert text={error} />
          <button type="submit" class="btn-primary" disabled={busy}>
            {t("login.send")}
          </button>
        </form>
      )}
    </Screen>
  );
}
