import { useStore } from "../../app/store";
import { useResource } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatDay, formatTime } from "../../i18n/format";
import { errorMessage } from "../../ui/errors";
import { Alert, Screen } from "../../ui/Screen";
import { Stale } from "../../ui/Stale";
import { MyRendezvous } from "../rendezvous/MyRendezvous";
import { BreakCountdown } from "./BreakCountdown";
import { timeline, type Slot } from "./timeline";
import { useNow } from "./useNow";

/** Talks and breaks of the event, in its time zone, with the countdown to the next break. */
export function AgendaScreen() {
  const t = useT();
  const agenda = useResource("agenda");
  const event = useResource("event");
  const lang = useStore(language);
  const now = useNow();
  const zone = event.data?.timezone;
  const slots = agenda.data ? timeline(agenda.data) : [];
  const days = groupByDay(slots, (at) => formatDay(at, lang, zone));

  return (
    <Screen title={t("agenda.title")}>
      {agenda.data && <BreakCountdown breaks={agenda.data.breaks} />}
      <MyRendezvous />
      {!agenda.data && agenda.loading && <p>{t("common.loading")}</p>}
      {!agenda.data && agenda.error && <Alert text={errorMessage(t, agenda.error)} />}
      {agenda.data && slots.length === 0 && <p>{t("agenda.empty")}</p>}
      {agenda.error && <Stale savedAt={agenda.savedAt} />}
      {days.map(([day, daySlots]) => (
        <section key={day} class="day" aria-label={day}>
          <h2>{day}</h2>
          <ol class="slots">
            {daySlots.map((slot) => (
              <SlotItem key={`${slot.kind}-${slot.id}`} slot={slot} now={now} zone={zone} />
            ))}
          </ol>
        </section>
      ))}
    </Screen>
  );
}

function SlotItem({ slot, now, zone }: { slot: Slot; now: number; zone: string | undefined }) {
  const t = useT();
  const lang = useStore(language);
  const live = slot.starts <= now && now < slot.ends;
  const past = slot.ends <= now;
  const classes = ["slot", `slot-${slot.kind}`, live && "slot-live", past && "slot-past"].filter(Boolean).join(" ");
  return (
    <li class={classes} aria-current={live ? "time" : undefined}>
      <p class="slot-time">
        {formatTime(slot.starts, lang, zone)}–{formatTime(slot.ends, lang, zone)}
        {live && <strong class="badge">{t("agenda.now")}</strong>}
      </p>
      {slot.kind === "talk" ? (
        <>
          <p class="slot-title">{slot.title}</p>
          <p class="hint">
            {[slot.room, slot.speakers.length ? t("agenda.with", { names: slot.speakers.join(", ") }) : ""]
              .filter(Boolean)
              .join(" · ")}
          </p>
        </>
      ) : (
        <p class="slot-title">
          {t("agenda.break")} · {slot.label}
        </p>
      )}
    </li>
  );
}

function groupByDay(slots: Slot[], dayOf: (at: number) => string): [string, Slot[]][] {
  const days = new Map<string, Slot[]>();
  for (const slot of slots) {
    const day = dayOf(slot.starts);
    days.set(day, [...(days.get(day) ?? []), slot]);
  }
  return [...days];
}
