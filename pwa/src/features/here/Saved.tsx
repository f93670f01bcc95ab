import type { Schemas } from "../../api/client";
import { outbox, usePending } from "../../app/outbox";
import type { SavedPeople } from "../../data/resources";
import { useT } from "../../i18n";

type Card = Schemas["AttendeeCard"];

/** Whether I saved them, counting a save or a forget still waiting on this phone. */
export function useSavedNow(): (attendeeId: number, server: boolean) => boolean {
  const pending = usePending("save", "forgetSaved");
  return (attendeeId, server) => {
    const last = pending.filter((i) => (i.payload as { attendee_id: number }).attendee_id === attendeeId).at(-1);
    return last ? last.kind === "save" : server;
  };
}

/** Save for later, or forget: private, they are never told. Works offline (the outbox sends it). */
export function SaveForLater({ attendee, saved }: { attendee: Card; saved: boolean }) {
  const t = useT();
  return (
    <button
      type="button"
      class="btn-link"
      aria-pressed={saved}
      onClick={() => void outbox.enqueue(saved ? "forgetSaved" : "save", { attendee_id: attendee.id })}
    >
      {saved ? t("saved.savedForget", { name: attendee.display_name }) : t("saved.save", { name: attendee.display_name })}
    </button>
  );
}

/** People I saved whom I may see now (besides those already suggested above), and how many others wait
 * until we are both present. */
export function SavedList({ saved, onScreen }: { saved: SavedPeople | undefined; onScreen: ReadonlySet<number> }) {
  const t = useT();
  const isSaved = useSavedNow();
  if (!saved) return null;
  const people = saved.people.filter((p) => !onScreen.has(p.attendee.id) && isSaved(p.attendee.id, true));
  const waiting = saved.not_around;
  if (people.length === 0 && waiting === 0) return null;
  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title">{t("saved.title")}</h2>
      <p class="hint">{t("saved.hint")}</p>
      {people.length > 0 && (
        <ul class="counts">
          {people.map(({ attendee }) => (
            <li key={attendee.id}>
              <span class="strong">{attendee.display_name}</span>
              <SaveForLater attendee={attendee} saved />
              {(attendee.headline || attendee.company) && (
                <span class="hint">{[attendee.headline, attendee.company].filter(Boolean).join(" · ")}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {waiting > 0 && <p>{t(waiting === 1 ? "saved.waitingOne" : "saved.waiting", { n: waiting })}</p>}
    </section>
  );
}
