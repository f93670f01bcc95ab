import { useRef, useState } from "preact/hooks";
import type { Profile } from "../../data/resources";
import { useT } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Alert } from "../../ui/Screen";
import { PersonPhoto } from "./PersonPhoto";
import { removePhoto, uploadPhoto } from "./photo";

type Status = "card.photoSending" | "card.photoSaved" | "card.photoRemoved";

/** My optional photo: sent at once (never queued, see photo.ts), shown back as the server made it. */
export function PhotoPicker({ profile }: { profile: Profile }) {
  const t = useT();
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<string>();
  const busy = status === "card.photoSending";
  const input = useRef<HTMLInputElement>(null);

  async function run(action: () => Promise<void>, done: Status) {
    setError(undefined);
    setStatus("card.photoSending");
    try {
      await action();
      setStatus(done);
    } catch (e) {
      setStatus(undefined);
      setError(
        errorMessage(t, e, {
          NetworkError: "card.photoOffline",
          UnsupportedPhotoType: "card.photoUnsupported",
          UnreadablePhoto: "card.photoUnreadable",
          PhotoTooLarge: "card.photoTooLarge",
          PayloadTooLarge: "card.photoTooLarge",
        }),
      );
    }
  }

  function chosen(input: HTMLInputElement) {
    const file = input.files?.[0];
    input.value = ""; // the same file may be chosen again after a refusal
    if (file) void run(() => uploadPhoto(file), "card.photoSaved");
  }

  return (
    <fieldset class="stack photo-picker">
      <legend>{t("card.photo")}</legend>
      <div class="row">
        <PersonPhoto url={profile.photo_url} name={profile.display_name} />
        <button type="button" disabled={busy} aria-describedby="photo-hint" onClick={() => input.current?.click()}>
          {t(profile.photo_url ? "card.photoChange" : "card.photoChoose")}
        </button>
        {/* Opened by the button above: a styled button reads and focuses better than the browser's own. */}
        <input
          ref={input}
          id="photo-file"
          type="file"
          hidden
          accept="image/jpeg,image/png,image/webp"
          aria-label={t("card.photo")}
          onChange={(e) => chosen(e.currentTarget)}
        />
        {profile.photo_url && (
          <button type="button" class="btn-link" disabled={busy} onClick={() => void run(removePhoto, "card.photoRemoved")}>
            {t("card.photoRemove")}
          </button>
        )}
      </div>
      <p id="photo-hint" class="hint">
        {t("card.photoHint")}
      </p>
      {status && (
        <p class="done" role="status">
          {t(status)}
        </p>
      )}
      <Alert text={error} />
    </fieldset>
  );
}
