import { useStore } from "../app/store";
import { language, useT } from "../i18n";
import { formatTime } from "../i18n/format";

/** Says when the data on screen comes from this phone's copy rather than a fresh answer, on the event's clock. */
export function Stale({ savedAt, timeZone }: { savedAt: number | undefined; timeZone: string | undefined }) {
  const t = useT();
  const lang = useStore(language);
  if (!savedAt) return null;
  return <p class="hint">{t("status.savedAt", { time: formatTime(savedAt, lang, timeZone) })}</p>;
}
