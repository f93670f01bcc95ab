import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { outbox, usePending } from "../../app/outbox";
import { useStore } from "../../app/store";
import { useResource } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatDay, formatTimeRange } from "../../i18n/format";
import { errorMessage } from "../../ui/errors";
import { Alert, Screen } from "../../ui/Screen";
import { Stale } from "../../ui/Stale";
import { MyRendezvous } from "../rendezvous/MyRendezvous";
import { bookmarkedIds, openingSlot } from "./bookmarks";
import { BreakCountdown } from "./BreakCountdown";
import { downloadCalendar } from "./calendar";
import { timeline, type Slot } from "./timeline";
import { useNow } from "./useNow";

type Talk = Extract<Slot, { kind: "talk" }>;

/** Talks and breaks of the event on its clock, opened at the slot under way; my bookmarked talks, and
 * adding them to the phone's calendar. */
export default function AgendaScreen() {
  const t = useT();
  const agenda = useResource("agenda");
  const event = useResource("event");
  const saved = useResource("bookmarks");
  const pending = usePending("bookmark", "unbookmark");
  const lang = useStore(language);
  const now = useNow();
  const [mineOnly, setMineOnly] = useState(false);
  const zone = event.data?.timezone;
  const bookmarked = bookmarkedIds(saved.data?.talk_ids ?? [], pending);
  const all = agenda.data ? timeline(agenda.data) : [];
  const slots = mineOnly ? all.filter((slot) => slot.kind === "talk" && bookmarked.has(slot.id)) : all;
  const opening = openingSlot(slots, now);
  const days = groupByDay(slots, (at) => formatDay(at, lang, zone));

  const openingRef = useRef<HTMLLIElement>(null);
  const opened = useRef(false);
  useEffect(() => {
    // Once, when the programme first shows: the slot under way, not the first talk of the morning.
    if (opened.current || !openingRef.current) return;
    opened.current = true;
    openingRef.current.scrollIntoView({ block: "start" });
  });

  return (
    <Screen title={t("agenda.title")}>
      {agenda.data && <BreakCountdown breaks={agenda.data.breaks} />}
      <MyRendezvous />
      {!agenda.data && agenda.loading && <p>{t("common.loading")}</p>}
      {!agenda.data && agenda.error && <Alert text={errorMessage(t, agenda.error)} />}
      {agenda.data && all.length === 0 && <p>{t("agenda.empty")}</p>}
      {agenda.error && <Stale savedAt={agenda.savedAt} timeZone={zone} />}
      {all.length > 0 && (
        <ul class="chips" aria-label={t("agenda.show")}>
          <li>
            <button type="button" class="chip" aria-pressed={!mineOnly} onClick={() => setMineOnly(false)}>
              {t("agenda.all")}
            </button>
          </li>
          <li>
            <button type="button" class="chip" aria-pressed={mineOnly} onClick={() => setMineOnly(true)}>
              {t("agenda.mine", { n: bookmarked.size })}
            </button>
          </li>
        </ul>
      )}
      {mineOnly && slots.length === 0 && <p class="hint">{t("agenda.noneMine")}</p>}
      {mineOnly && slots.length > 0 && <CalendarButton label={t("agenda.addMine")} />}
      {days.map(([day, daySlots]) => (
        <section key={day} class="day" aria-label={day}>
          <h2>{day}</h2>
          <ol class="slots">
            {daySlots.map((slot) => (
              <SlotItem
                key={`${slot.kind}-${slot.id}`}
                slot={slot}
                now={now}
                zone={zone}
                bookmarked={slot.kind === "talk" && bookmarked.has(slot.id)}
                anchor={slot === opening ? openingRef : undefined}
              />
            ))}
          </ol>
        </section>
      ))}
    </Screen>
  );
}

interface SlotProps {
  slot: Slot;
  now: number;
  zone: string | undefined;
  bookmarked: boolean;
  anchor?: RefObject<HTMLLIElement | null>;
}

function SlotItem({ slot, now, zone, bookmarked, anchor }: SlotProps) {
  const t = useT();
  const lang = useStore(language);
  const live = slot.starts <= now && now < slot.ends;
  const past = slot.ends <= now;
  const classes = ["slot", `slot-${slot.kind}`, live && "slot-live", past && "slot-past"].filter(Boolean).join(" ");
  return (
    <li ref={anchor} class={classes} aria-current={live ? "time" : undefined} data-opening={anchor ? "" : undefined}>
      <p class="slot-time">
        {formatTimeRange(slot.starts, slot.ends, lang, zone)}
        {live && <strong class="badge">{t("agenda.now")}</strong>}
      </p>
      {slot.kind === "talk" ? (
        <TalkDetails talk={slot} bookmarked={bookmarked} />
      ) : (
        <p class="slot-title">
          {t("agenda.break")} · {slot.label}
        </p>
      )}
    </li>
  );
}

function TalkDetails({ talk, bookmarked }: { talk: Talk; bookmarked: boolean }) {
  const t = useT();
  const speakers = talk.speakers.join(", ");
  return (
    <>
      <h3 class="slot-title">{talk.title}</h3>
      <p class="hint">
        {[talk.room && t("agenda.room", { room: talk.room }), speakers && t("agenda.with", { names: speakers })]
          .filter(Boolean)
          .join(" · ")}
      </p>
      {talk.abstract && (
        <details>
          <summary>{t("agenda.about")}</summary>
          <p class="abstract">{talk.abstract}</p>
        </details>
      )}
      <div class="row">
        <button
          type="button"
          class="chip"
          aria-pressed={bookmarked}
          aria-label={t("agenda.bookmarkTalk", { title: talk.title })}
          onClick={() => void outbox.enqueue(bookmarked ? "unbookmark" : "bookmark", { talk_id: talk.id })}
        >
          {bookmarked ? t("agenda.bookmarked") : t("agenda.bookmark")}
        </button>
        <CalendarButton label={t("agenda.addOne")} talk={talk} />
      </div>
    </>
  );
}

/** Downloads the .ics; says so when the phone is offline (the file comes from the server). */
function CalendarButton({ label, talk }: { label: string; talk?: Talk }) {
  const t = useT();
  const [failed, setFailed] = useState(false);
  return (
    <>
      <button
        type="button"
        class="btn-link"
        aria-label={talk ? t("agenda.addTalk", { title: talk.title }) : undefined}
        onClick={() => void downloadCalendar(talk?.id).then((done) => setFailed(!done))}
      >
        {label}
      </button>
      {failed && (
        <p class="hint" role="status">
          {t("agenda.calendarOffline")}
        </p>
      )}
    </>
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
