import { useState } from "preact/hooks";
import { unwrap } from "../../api/client";
import { signIn, signOut } from "../../app/account";
import { api } from "../../app/api";
import { notice } from "../../app/notices";
import { currentPath, followLink, navigate } from "../../app/router";
import { useStore } from "../../app/store";
import { session } from "../../auth/session";
import { useResource } from "../../data/resources";
import { language, useT } from "../../i18n";
import { errorMessage, refusedFields } from "../../ui/errors";
import { Field } from "../../ui/Field";
import { Alert, Screen } from "../../ui/Screen";

/** /join/<code> from the event's link or QR, or /join to type the code. A phone already in (people re-tap
 * the link from their email or badge) is told as whom, rather than joining again as a second attendee. */
export function JoinScreen({ code }: { code: string }) {
  // Decided when the screen opens: the join below signs in too, and must not turn into this question.
  const [alreadyIn, setAlreadyIn] = useState(() => session.get()?.subject_kind === "attendee");
  return alreadyIn ? <AlreadyIn onSomeoneElse={() => setAlreadyIn(false)} /> : <JoinForm code={code} />;
}

/** "You're in as Alice at DevOps Days": continue, or sign this phone out to join as oneself. */
function AlreadyIn({ onSomeoneElse }: { onSomeoneElse: () => void }) {
  const t = useT();
  const profile = useResource("profile").data;
  const event = useResource("event").data;
  const [busy, setBusy] = useState(false);
  const name = profile?.display_name ?? "";

  async function someoneElse() {
    setBusy(true);
    await signOut(currentPath.get()); // stays on this join link, now with an empty form
    onSomeoneElse();
  }

  return (
    <Screen title={t("identity.title")}>
      {profile && (
        <p class="lead">
          {event ? t("identity.inAs", { name, event: event.name }) : t("identity.inAsNoEvent", { name })}
        </p>
      )}
      <div class="stack">
        <button type="button" class="btn-primary" onClick={() => navigate("/here", { replace: true })}>
          {t("identity.continue")}
        </button>
        <button type="button" disabled={busy} aria-describedby="someone-else-hint" onClick={() => void someoneElse()}>
          {t("identity.someoneElse")}
        </button>
        <p id="someone-else-hint" class="hint">
          {t("identity.someoneElseHint")} {profile && !profile.email && t("identity.noEmailWarning")}
        </p>
      </div>
    </Screen>
  );
}

function JoinForm({ code: linkCode }: { code: string }) {
  const t = useT();
  const lang = useStore(language);
  const [code, setCode] = useState(linkCode);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  /** A name the server would refuse (only spaces): said here, naming the field. */
  function nameMissing() {
    setError(t("identity.nameMissing"));
    document.getElementById("join-name")?.focus();
  }

  async function join(event: Event) {
    event.preventDefault();
    if (!name.trim()) return nameMissing();
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
      setBusy(false);
      if (refusedFields(e).includes("display_name")) return nameMissing();
      setError(errorMessage(t, e, { NotFound: "join.unknownCode", InvitationOnly: "join.invitationOnly" }));
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
