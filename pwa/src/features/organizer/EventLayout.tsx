import { unwrap } from "../../api/client";
import { api } from "../../app/api";
import { followLink } from "../../app/router";
import { useT } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Alert, Screen } from "../../ui/Screen";
import { LIVE_SECTIONS, SETUP_SECTIONS, type Section } from "./sections";
import { useLoad } from "./useLoad";

/** One event: its nav (set-up sections, then live ones) beside the open section. */
export function EventLayout({ eventId, section }: { eventId: number; section: string }) {
  const t = useT();
  const event = useLoad(
    () => unwrap(api.GET("/api/events/{event_id}", { params: { path: { event_id: eventId } } })),
    [eventId],
  );
  const open = [...SETUP_SECTIONS, ...LIVE_SECTIONS].find((s) => s.slug === section) ?? SETUP_SECTIONS[0]!;

  if (!event.data) {
    return (
      <Screen title={t("org.title")}>
        {event.error === undefined ? (
          <p role="status">{t("common.loading")}</p>
        ) : (
          <Alert text={errorMessage(t, event.error, { NotFound: "org.events.notFound" })} />
        )}
        <p>
          <a href="/organizer" onClick={followLink}>
            {t("org.events.all")}
          </a>
        </p>
      </Screen>
    );
  }
  const Open = open.Screen;
  return (
    <div class="console">
      <nav class="console-nav" aria-label={t("org.nav.label")}>
        <a href="/organizer" onClick={followLink} class="console-home">
          {t("org.events.all")}
        </a>
        <p class="console-event">{event.data.name}</p>
        <NavGroup title={t("org.nav.setup")} sections={SETUP_SECTIONS} eventId={eventId} open={open} />
        {LIVE_SECTIONS.length > 0 && (
          <NavGroup title={t("org.nav.live")} sections={LIVE_SECTIONS} eventId={eventId} open={open} />
        )}
      </nav>
      <div class="console-main">
        <Screen key={open.slug} title={t(open.label)}>
          <Open event={event.data} onEventChange={event.set} />
        </Screen>
      </div>
    </div>
  );
}

interface NavGroupProps {
  title: string;
  sections: Section[];
  eventId: number;
  open: Section;
}

function NavGroup({ title, sections, eventId, open }: NavGroupProps) {
  const t = useT();
  return (
    <div class="console-group">
      <h2>{title}</h2>
      <ul>
        {sections.map((s) => (
          <li key={s.slug}>
            <a
              href={`/organizer/events/${eventId}/${s.slug}`}
              onClick={followLink}
              aria-current={s === open ? "page" : undefined}
            >
              {t(s.label)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
