import { useStore } from "../../app/store";
import { currentPath, followLink, param } from "../../app/router";
import { session } from "../../auth/session";
import { useT } from "../../i18n";
import { Screen } from "../../ui/Screen";
import { EventLayout } from "./EventLayout";
import { EventList } from "./EventList";
import { OrganizerSignIn } from "./OrganizerSignIn";
import "./organizer.css";

/** /organizer: the event list; /organizer/events/<id>/<section>: one event's set-up (and live) screens. */
export default function OrganizerConsole() {
  const path = useStore(currentPath);
  const tokens = useStore(session);
  if (!tokens) return <OrganizerSignIn />;
  if (tokens.subject_kind !== "organizer") return <AttendeesOnly />;
  const eventId = Number(param(path, "/organizer/events/"));
  if (!eventId) return <EventList />;
  return <EventLayout key={eventId} eventId={eventId} section={path.split("/")[4] ?? ""} />;
}

/** An attendee's session opens nothing here: the server would refuse it anyway. */
function AttendeesOnly() {
  const t = useT();
  return (
    <Screen title={t("org.title")}>
      <p role="alert" class="alert">
        {t("org.attendeeRefused")}
      </p>
      <p>
        <a href="/here" onClick={followLink}>
          {t("org.backToApp")}
        </a>
      </p>
    </Screen>
  );
}
