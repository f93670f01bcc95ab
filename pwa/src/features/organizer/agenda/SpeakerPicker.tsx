import { useEffect, useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useStore } from "../../../app/store";
import { formatMoment } from "../../../i18n/format";
import { language, useT, type Translate } from "../i18n";
import { formError } from "../formError";
import { Field } from "../../../ui/Field";
import { Alert } from "../../../ui/Screen";

export type Speaker = Schemas["SpeakerPublic"];
type Listed = Schemas["AttendeeListed"];

/** What tells a found attendee apart: headline and company, and for namesakes when they joined and their
 * number (one phone may have joined twice under one name). */
function details(t: Translate, card: Listed, namesake: boolean, joined: (at: number) => string): string {
  const parts = [card.headline, card.company].filter(Boolean);
  if (namesake) parts.push(t("org.agenda.joinedAt", { when: joined(Date.parse(card.joined_at)) }), `#${card.id}`);
  return parts.join(" · ");
}

const SHOWN = 8;
const TYPING_PAUSE_MS = 250; // one search when the organizer stops typing, not one per key

/** A talk's speakers: attendees of the event found by name, added and removed one by one. */
export function SpeakerPicker({
  idPrefix,
  eventId,
  timezone,
  speakers,
  onChange,
}: {
  idPrefix: string;
  eventId: number;
  timezone: string;
  speakers: Speaker[];
  onChange: (speakers: Speaker[]) => void;
}) {
  const t = useT();
  const lang = useStore(language);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Schemas["Page_AttendeeListed_"]>();
  const [error, setError] = useState<string>();
  const name = query.trim();

  useEffect(() => {
    setFound(undefined);
    setError(undefined);
    if (!name) return;
    let live = true;
    const timer = setTimeout(() => {
      const params = { path: { event_id: eventId }, query: { q: name, limit: SHOWN } };
      unwrap(api.GET("/api/events/{event_id}/attendees", { params }))
        .then((page) => live && setFound(page))
        .catch((e: unknown) => live && setError(formError(t, e)));
    }, TYPING_PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [eventId, name]);

  const chosen = new Set(speakers.map((s) => s.id));
  const candidates = (found?.items ?? []).filter((card) => !chosen.has(card.id));
  const names = candidates.map((card) => card.display_name.toLocaleLowerCase());
  const namesake = (card: Listed) => names.filter((n) => n === card.display_name.toLocaleLowerCase()).length > 1;
  const joined = (at: number) => formatMoment(at, lang, timezone);

  return (
    <fieldset>
      <legend>{t("org.agenda.speakers")}</legend>
      {speakers.length === 0 ? (
        <p class="hint">{t("org.agenda.noSpeakers")}</p>
      ) : (
        <ul class="speakers" aria-label={t("org.agenda.chosenSpeakers")}>
          {speakers.map((speaker) => (
            <li key={speaker.id}>
              {speaker.display_name}{" "}
              <button type="button" aria-label={t("org.agenda.removeSpeaker", { name: speaker.display_name })}
                onClick={() => onChange(speakers.filter((s) => s.id !== speaker.id))}>
                {t("org.agenda.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Field id={`${idPrefix}-speaker-search`} type="search" label={t("org.agenda.findSpeaker")}
        hint={t("org.agenda.findSpeakerHint")} maxLength={80} autoComplete="off" value={query}
        onInput={(e) => setQuery(e.currentTarget.value)} />
      <Alert text={error} />
      <div aria-live="polite">
        {found && candidates.length === 0 && <p class="hint">{t("org.agenda.noAttendeeFound", { name })}</p>}
        {candidates.length > 0 && (
          <ul class="speakers" aria-label={t("org.agenda.foundAttendees")}>
            {candidates.map((card) => {
              const about = details(t, card, namesake(card), joined);
              return (
                <li key={card.id}>
                  <button type="button" aria-describedby={about ? `${idPrefix}-found-${card.id}` : undefined}
                    aria-label={t("org.agenda.addSpeaker", { name: card.display_name })}
                    onClick={() => onChange([...speakers, { id: card.id, display_name: card.display_name }])}>
                    {card.display_name}
                  </button>
                  {about && <span class="hint" id={`${idPrefix}-found-${card.id}`}> {about}</span>}
                </li>
              );
            })}
          </ul>
        )}
        {found && found.total > found.items.length && (
          <p class="hint">{t("org.agenda.moreAttendees", { n: found.total })}</p>
        )}
      </div>
    </fieldset>
  );
}
