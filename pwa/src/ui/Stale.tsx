import { useStore } from "../app/store";
import { language, useT } from "../i18n";
import { formatTime } from "../i18n/format";

/** Says when the data on screen comes from this phone's copy rather than a fresh answer. */
export function Stale({ savedAt }: { savedAt: number | undefined }) {
  const t = useT();
  const lang = useStore(language);
  if (!savedAt) return null;
  return <p class="hint">{t("status.savedAt", { time: formatTime(savedAt, lang) })}</p>;
}
