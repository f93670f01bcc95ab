import { unwrap } from "../../api/client";
import { signOut } from "../../app/account";
import { api } from "../../app/api";
import { followLink, navigate } from "../../app/router";
import { useStore } from "../../app/store";
import { language, useT } from "./i18n";
import { formatDay } from "../../i18n/format";
import { errorMessage } from "../../ui/errors";
import { Alert, Screen } from "../../ui/Screen";
import { EventForm, eventBody, newEventFields } from "./EventForm";
import { useLoad } from "./useLoad";

// What the API would choose itself; the typed client wants them said. Editable later through the API.
/** The organizer's events, and a new one. */
export function EventList() {
  const t = useT();
  const lang = useStore(language);
  const events = useLoad(() => unwrap(api.GET("/api/events")), []);

  return (
    <Screen title={t("org.events.title")}>
      {events.error !== undefined && <Alert text={errorMessage(t, events.error)} />}
      {events.data === undefined && events.error === undefined && <p role="status">{t("common.loading")}</p>}
      {events.data?.length === 0 && <p>{t("org.events.none")}</p>}
      {events.data && events.data.length > 0 && (
        <ul class="plain org-list">
          {events.data.map((event) => (
            <li key={event.id} class="card">
              <a href={`/organizer/events/${event.id}/event`} onClick={followLink} class="strong">
                {event.name}
              </a>
              <p class="hint">
                {formatDay(Date.parse(event.starts_at), lang, event.timezone)} · {event.timezone}
              </p>
            </li>
          ))}
        </ul>
      )}
      <details class="card" open={events.data?.length === 0}>
        <summary>{t("org.events.create")}</summary>
        <EventForm
          initial={newEventFields()}
          withSlug
          submitLabel={t("org.events.createSubmit")}
          onSubmit={async (fields) => {
            const body = { ...eventBody(fields), slug: fields.slug };
            const created = await unwrap(api.POST("/api/events", { body }));
            navigate(`/organizer/events/${created.id}/zones`);
          }}
        />
      </details>
      <p class="aside">
        <button type="button" class="btn-link" onClick={() => void signOut()}>
          {t("org.signOut")}
        </button>
      </p>
    </Screen>
  );
}
