import type { Agenda } from "../../data/resources";
import { useT } from "../../i18n";
import { breakStatus } from "./timeline";
import { useNow } from "./useNow";

/** "Next break in 12 min": the hallway's next moment, on the agenda and the Here screen. */
export function BreakCountdown({ breaks }: { breaks: Agenda["breaks"] }) {
  const t = useT();
  const status = breakStatus(breaks, useNow());
  const text = !status
    ? t("agenda.noMoreBreaks")
    : status.state === "now"
      ? t("agenda.breakNow", { minutes: status.minutesLeft })
      : t("agenda.nextBreak", { minutes: status.minutesUntil });
  return <p class={status?.state === "now" ? "countdown countdown-now" : "countdown"}>{text}</p>;
}
