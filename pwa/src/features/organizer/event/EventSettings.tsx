import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../../../i18n";
import { Confirm } from "../Confirm";
import { EventForm, eventBody, eventFields } from "../EventForm";
import type { SectionProps } from "../sections";

/** The event's facts, and its join code. */
export function EventSettings({ event, onEventChange }: SectionProps) {
  const t = useT();
  const path = { params: { path: { event_id: event.id } } };
  return (
    <>
      <EventForm
        initial={eventFields(event)}
        withSlug={false}
        submitLabel={t("org.save")}
        onSubmit={async (fields) =>
          onEventChange(await unwrap(api.PATCH("/api/events/{event_id}", { ...path, body: eventBody(fields) })))
        }
      />
      <section class="card" aria-labelledby="join-code-title">
        <h2 id="join-code-title">{t("org.event.joinCode")}</h2>
        <p class="join-code" data-testid="join-code">
          {event.join_code}
        </p>
        <p class="hint">
          {t("org.event.joinUrl")} <span class="url">{event.join_url}</span>
        </p>
        <Confirm
          label={t("org.event.regenerate")}
          warning={t("org.event.regenerateWarning")}
          confirmLabel={t("org.event.regenerateYes")}
          onConfirm={async () =>
            onEventChange(await unwrap(api.POST("/api/events/{event_id}/join-code", path)))
          }
        />
      </section>
    </>
  );
}
