import { useEffect, useState } from "preact/hooks";
import { unwrap } from "../../api/client";
import { signIn } from "../../app/account";
import { api } from "../../app/api";
import { followLink, navigate } from "../../app/router";
import { useT, type MessageKey } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Field } from "../../ui/Field";
import { Alert, Screen } from "../../ui/Screen";

/** The magic link's token travels in the fragment (never sent to a server); it is read once, then erased. */
function takeLinkToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (token) history.replaceState(null, "", window.location.pathname + window.location.search);
  return token;
}

/** /login#token=… redeems a sign-in link (an attendee's or an organizer's); plain /login asks for one by email. */
export function LoginScreen() {
  const t = useT();
  const [token] = useState(takeLinkToken);
  const expired = new URLSearchParams(window.location.search).has("expired");
  const [status, setStatus] = useState<MessageKey | null>(token ? "login.redeeming" : expired ? "login.expired" : null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!token) return;
    unwrap(api.POST("/api/auth/magic-link/redeem", { body: { token } }))
      .then(async (tokens) => {
        await signIn(tokens);
        navigate(tokens.subject_kind === "organizer" ? "/organizer" : "/here", { replace: true });
      })
      .catch((e: unknown) => {
        setStatus(null);
        setError(errorMessage(t, e, { NotAuthenticated: "login.refused" }));
      });
  }, [token]);

  return (
    <Screen title={t("login.title")}>
      {status && <p class="lead">{t(status)}</p>}
      <Alert text={error} />
      {status !== "login.redeeming" && <LinkRequest />}
      <p class="aside">
        <a href="/join" onClick={followLink}>
          {t("login.join")}
        </a>
      </p>
    </Screen>
  );
}

function LinkRequest() {
  const t = useT();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string>();

  async function request(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      await unwrap(api.POST("/api/auth/attendees/magic-link", { body: { email: email.trim() } }));
      setSent(true);
    } catch (e) {
      setError(errorMessage(t, e));
    }
  }

  if (sent) return <p role="status">{t("login.sent")}</p>;
  return (
    <form onSubmit={request} class="stack">
      <p>{t("login.intro")}</p>
      <Field
        id="login-email"
        label={t("login.email")}
        type="email"
        required
        value={email}
        onInput={(e) => setEmail(e.currentTarget.value)}
        autoComplete="email"
      />
      <Alert text={error} />
      <button type="submit" class="btn-primary">
        {t("login.send")}
      </button>
    </form>
  );
}
