import { useStore } from "../../app/store";
import type { Agenda } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatTime } from "../../i18n/format";
import { useNow } from "../agenda/useNow";
import { nextBreak } from "./nextBreak";

/** "Next break in 12 min (10:30)" or "Break now, until 10:50", in the event's time zone. */
export function NextBreak({ breaks, timeZone }: { breaks: Agenda["breaks"]; timeZone: string | undefined }) {
  const t = useT();
  const lang = useStore(language);
  const status = nextBreak(breaks, useNow());
  const text = !status
    ? t("agenda.noMoreBreaks")
    : status.state === "now"
      ? t("next.breakNow", { time: formatTime(status.ends, lang, timeZone) })
      : t("next.breakIn", { minutes: status.minutesUntil, time: formatTime(status.starts, lang, timeZone) });
  return <p class={status?.state === "now" ? "countdown countdown-now" : "countdown"}>{text}</p>;
}
