import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import { outbox } from "../../app/outbox";
import { navigate } from "../../app/router";
import { useStore } from "../../app/store";
import type { ProfileUpdate } from "../../data/profile";
import { useResource, type Profile } from "../../data/resources";
import { chooseLanguage, language, useT, type Lang } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { LanguagePicker } from "../../ui/LanguagePicker";
import { Alert, Screen } from "../../ui/Screen";
import { CardFields, cardChange, type CardLines } from "../profile/CardFields";
import { PhotoPicker } from "../profile/PhotoPicker";
import { GoalPicker } from "./GoalPicker";
import { TopicPicker } from "./TopicPicker";

type Goal = Profile["goals"][number];

/** Interests, goals, open to chat and language: what suggestions and icebreakers are made of. */
export function OnboardingScreen() {
  const t = useT();
  const profile = useResource("profile").data;
  const topics = useResource("topics");
  const lang = useStore(language);
  const [interests, setInterests] = useState<string[]>([]);
  const [goals, setGoals] = useState<Goal[]>([]);
  const [openToChat, setOpenToChat] = useState(true);
  const [visible, setVisible] = useState(false);
  const [card, setCard] = useState<CardLines>({ headline: "", company: "", ask_me_about: "", find_me_hint: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState(false);

  // Returning to this screen shows what was chosen before.
  useEffect(() => {
    if (!profile || started) return;
    setStarted(true);
    setInterests(profile.interests.map((i) => i.name));
    setGoals(profile.goals);
    setOpenToChat(profile.open_to_chat);
    setVisible(profile.visible);
    setCard({
      headline: profile.headline,
      company: profile.company,
      ask_me_about: profile.ask_me_about,
      find_me_hint: profile.find_me_hint,
    });
  }, [profile, started]);

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const change: ProfileUpdate = {
      interests,
      goals,
      open_to_chat: openToChat,
      visible,
      language: lang,
      ...cardChange(card),
    };
    const outcome = await outbox.submit("profile", change);
    if (outcome.state === "dropped") {
      setError(errorMessage(t, ApiError.from(outcome.status, outcome.error)));
      setBusy(false);
      return;
    }
    // Sent, or saved on this phone until the network is back: either way the person goes on.
    navigate("/here", { replace: true });
  }

  return (
    <Screen title={t("onboarding.title")}>
      <p class="lead">{t("onboarding.intro")}</p>
      <form onSubmit={save} class="stack">
        <TopicPicker topics={topics.data ?? []} loading={topics.loading} selected={interests} onChange={setInterests} />
        <GoalPicker selected={goals} onChange={setGoals} />
        <fieldset class="stack">
          <legend>{t("card.title")}</legend>
          <p class="hint">{t("card.hint")}</p>
          <CardFields value={card} onChange={setCard} idPrefix="onboarding" />
        </fieldset>
        {profile && <PhotoPicker profile={profile} />}
        <div class="switch">
          <input
            id="open-to-chat"
            type="checkbox"
            checked={openToChat}
            onChange={(e) => setOpenToChat(e.currentTarget.checked)}
            aria-describedby="open-to-chat-hint"
          />
          <label for="open-to-chat">{t("onboarding.openToChat")}</label>
          <p id="open-to-chat-hint" class="hint">
            {t("onboarding.openToChatHint")}
          </p>
        </div>
        <p class="privacy">{t("onboarding.privacy")}</p>
        <div class="switch">
          <input
            id="onboarding-visible"
            type="checkbox"
            role="switch"
            checked={visible}
            onChange={(e) => setVisible(e.currentTarget.checked)}
            aria-describedby="onboarding-visible-hint"
          />
          <label for="onboarding-visible">{t("visibility.label")}</label>
          <p id="onboarding-visible-hint" class="hint">
            {visible ? t("visibility.on") : t("visibility.off")}
          </p>
        </div>
        <LanguagePicker value={lang} onChange={(l: Lang) => void chooseLanguage(l)} legend={t("onboarding.language")} />
        <Alert text={error} />
        <div class="actions">
          <button type="submit" class="btn-primary" disabled={busy}>
            {busy ? t("onboarding.saving") : t("onboarding.save")}
          </button>
        </div>
      </form>
    </Screen>
  );
}
