import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import type { Profile } from "../../data/resources";
import { useT } from "../../i18n";
import { CardFields, cardChange, type CardLines } from "../profile/CardFields";
import { PhotoPicker } from "../profile/PhotoPicker";

/** What others see of me: job title, "ask me about", "how to find me" (a queued write, kept offline) and my
 * photo (sent at once). The company is with the details an exchange shares. */
export function MyCardSettings({ profile }: { profile: Profile }) {
  const t = useT();
  const [lines, setLines] = useState<CardLines>(() => ({
    headline: profile.headline,
    ask_me_about: profile.ask_me_about,
    find_me_hint: profile.find_me_hint,
  }));
  const [saved, setSaved] = useState(false);

  function save(event: Event) {
    event.preventDefault();
    void outbox.enqueue("profile", cardChange(lines));
    setSaved(true);
  }

  return (
    <section class="stack" aria-labelledby="my-card-title">
      <h2 id="my-card-title">{t("card.title")}</h2>
      <p class="hint">{t("card.hint")}</p>
      <PhotoPicker profile={profile} />
      <form class="stack" onSubmit={save}>
        <CardFields
          value={lines}
          idPrefix="settings"
          onChange={(next) => {
            setSaved(false);
            setLines(next);
          }}
        />
        <button type="submit">{t("card.save")}</button>
        {saved && (
          <p class="done" role="status">
            {t("card.saved")}
          </p>
        )}
      </form>
    </section>
  );
}
