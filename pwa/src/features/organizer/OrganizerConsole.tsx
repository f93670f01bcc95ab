import { useStore } from "../../app/store";
import { currentPath, followLink, param } from "../../app/router";
import { session } from "../../auth/session";
import { useT } from "../../i18n";
import { Screen } from "../../ui/Screen";
import { EventLayout } from "./EventLayout";
import { EventList } from "./EventList";
import { OrganizerSignIn } from "./OrganizerSignIn";
import { PrintPosters } from "./posters/PrintPosters";
import "./organizer.css";

/** /organizer: the event list; /organizer/events/<id>/<section>: one event's set-up (and live) screens;
 * /organizer/events/<id>/print: its posters, to print. */
export default function OrganizerConsole() {
  const path = useStore(currentPath);
  const tokens = useStore(session);
  if (!tokens) return <OrganizerSignIn />;
  if (tokens.subject_kind !== "organizer") return <AttendeesOnly />;
  const eventId = Number(param(path, "/organizer/events/"));
  if (!eventId) return <EventList />;
  const section = path.split("/")[4] ?? "";
  if (section === "print") return <PrintPosters eventId={eventId} />; // sheets only, no console around
  return <EventLayout key={eventId} eventId={eventId} section={section} />;
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
