import { useStore } from "../../app/store";
import { useT } from "../../i18n";
import { dismissInstallHint, install, installHintDismissed, installOffer } from "./installPrompt";

/** "Install Couloir": Chromium's prompt, or the iOS steps (Add to Home Screen is needed there for push). */
export function InstallHint({ dismissible = false }: { dismissible?: boolean }) {
  const t = useT();
  const offer = useStore(installOffer);
  const dismissed = useStore(installHintDismissed);
  if (!offer || (dismissible && dismissed)) return null;
  return (
    <aside class="card install" aria-labelledby="install-title">
      <h2 id="install-title">{t("install.title")}</h2>
      <p>{offer === "ios" ? t("install.ios") : t("install.text")}</p>
      <div class="row">
        {offer === "prompt" && (
          <button type="button" class="btn-primary" onClick={() => void install()}>
            {t("install.button")}
          </button>
        )}
        {dismissible && (
          <button type="button" onClick={() => void dismissInstallHint()}>
            {t("install.dismiss")}
          </button>
        )}
      </div>
    </aside>
  );
}
