import { outbox, usePending } from "../../app/outbox";
import type { Profile } from "../../data/resources";
import { useT } from "../../i18n";
import { Visibility } from "../here/Visibility";

/** Visibility (ghost mode when off) and, for speakers, being findable in the hallway around their talk. */
export function PresenceSettings({ profile }: { profile: Profile }) {
  const t = useT();
  const pending = usePending("profile");
  const latest = <K extends "visible" | "findable_as_speaker">(name: K): boolean =>
    pending
      .map((item) => (item.payload as Partial<Profile>)[name])
      .filter((v): v is boolean => typeof v === "boolean")
      .at(-1) ?? profile[name];
  return (
    <section class="stack" aria-labelledby="presence-title">
      <h2 id="presence-title">{t("settings.presence")}</h2>
      <Visibility visible={latest("visible")} id="settings-visible" />
      {profile.role === "speaker" && (
        <div class="switch">
          <input
            id="findable"
            type="checkbox"
            role="switch"
            checked={latest("findable_as_speaker")}
            aria-describedby="findable-hint"
            onChange={(e) => void outbox.enqueue("profile", { findable_as_speaker: e.currentTarget.checked })}
          />
          <label for="findable">{t("settings.findable")}</label>
          <p id="findable-hint" class="hint">
            {t("settings.findableHint")}
          </p>
        </div>
      )}
    </section>
  );
}
