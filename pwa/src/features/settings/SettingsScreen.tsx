import { useState } from "preact/hooks";
import { deleteAccount, signOut } from "../../app/account";
import { outbox, useOutbox } from "../../app/outbox";
import { useStore } from "../../app/store";
import { useResource } from "../../data/resources";
import { chooseLanguage, language, useT, type Lang } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { LanguagePicker } from "../../ui/LanguagePicker";
import { Alert, Screen } from "../../ui/Screen";
import { InstallHint } from "../install/InstallHint";
import { Blocks } from "./Blocks";
import { ExportMyData } from "./ExportMyData";
import { MyCardSettings } from "./MyCard";
import { Notifications } from "./Notifications";
import { PresenceSettings } from "./Presence";
import { SharingSettings } from "./Sharing";

export function SettingsScreen() {
  const t = useT();
  const profile = useResource("profile").data;
  const lang = useStore(language);
  const { pending } = useOutbox();

  function changeLanguage(next: Lang) {
    void chooseLanguage(next);
    // Icebreakers and nudges come in the profile's language: the server learns the choice too.
    void outbox.enqueue("profile", { language: next });
  }

  return (
    <Screen title={t("settings.title")}>
      {profile && <p class="lead">{t("settings.signedInAs", { name: profile.display_name })}</p>}
      {profile && <MyCardSettings profile={profile} />}
      {profile && <PresenceSettings profile={profile} />}
      {profile && <SharingSettings profile={profile} />}
      <Notifications />
      <LanguagePicker value={lang} onChange={changeLanguage} legend={t("settings.language")} />
      <InstallHint />
      <Blocks />
      <section class="stack" aria-labelledby="account-title">
        <h2 id="account-title">{t("settings.account")}</h2>
        {pending > 0 && <p class="hint">{t("settings.unsent", { n: pending })}</p>}
        <ExportMyData />
        <button type="button" onClick={() => void signOut()}>
          {t("settings.signOut")}
        </button>
        <DeleteAccount />
      </section>
    </Screen>
  );
}

/** Two steps: the button opens a confirmation that says what is erased. */
function DeleteAccount() {
  const t = useT();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await deleteAccount();
    } catch (e) {
      setError(errorMessage(t, e));
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <button type="button" class="btn-danger" onClick={() => setConfirming(true)}>
        {t("settings.delete")}
      </button>
    );
  }
  return (
    <div class="card confirm" role="group" aria-labelledby="delete-text">
      <p id="delete-text">{t("settings.deleteConfirm")}</p>
      <Alert text={error} />
      <div class="row">
        <button type="button" class="btn-danger" disabled={busy} onClick={() => void confirm()}>
          {t("settings.deleteYes")}
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          {t("settings.cancel")}
        </button>
      </div>
    </div>
  );
}
