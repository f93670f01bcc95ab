import { useState } from "preact/hooks";
import { unwrap } from "../../api/client";
import { signIn } from "../../app/account";
import { api } from "../../app/api";
import { notice } from "../../app/notices";
import { followLink, navigate } from "../../app/router";
import { useStore } from "../../app/store";
import { language, useT } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Field } from "../../ui/Field";
import { Alert, Screen } from "../../ui/Screen";

/** /join/<code> from the event's link or QR, or /join to type the code. */
export function JoinScreen({ code: linkCode }: { code: string }) {
  const t = useT();
  const lang = useStore(language);
  const [code, setCode] = useState(linkCode);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function join(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const joined = await unwrap(
        api.POST("/api/join", {
          body: { join_code: code.trim(), display_name: name.trim(), email: email.trim() || null, language: lang },
        }),
      );
      await signIn(joined.tokens, joined.attendee);
      // The answer is the same whoever owns the address: the mailbox is where its owner learns which it was.
      if (email.trim()) notice.set("join.checkMail");
      navigate("/onboarding", { replace: true });
    } catch (e) {
      setError(errorMessage(t, e, { NotFound: "join.unknownCode", InvitationOnly: "join.invitationOnly" }));
      setBusy(false);
    }
  }

  return (
    <Screen title={t("join.title")}>
      <p class="lead">{t("join.intro")}</p>
      <form onSubmit={join} class="stack">
        <Field
          id="join-code"
          label={t("join.code")}
          hint={t("join.codeHint")}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value.toUpperCase())}
          required
          minLength={4}
          maxLength={16}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
        />
        <Field
          id="join-name"
          label={t("join.name")}
          hint={t("join.nameHint")}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          required
          maxLength={80}
          autoComplete="name"
        />
        <Field
          id="join-email"
          label={t("join.email")}
          hint={t("join.emailHint")}
          type="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          autoComplete="email"
        />
        <Alert text={error} />
        <button type="submit" class="btn-primary" disabled={busy}>
          {busy ? t("join.submitting") : t("join.submit")}
        </button>
      </form>
      <p class="aside">
        <a href="/login" onClick={followLink}>
          {t("join.signIn")}
        </a>
      </p>
    </Screen>
  );
}
