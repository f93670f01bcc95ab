import type { ComponentType } from "preact";
import type { Schemas } from "../../api/client";
import type { MessageKey } from "../../i18n";
import { AgendaSetup } from "./agenda/AgendaSetup";
import { EventSettings } from "./event/EventSettings";
import { ImportsScreen } from "./imports/ImportsScreen";
import { PostersScreen } from "./posters/PostersScreen";
import { TopicsScreen } from "./topics/TopicsScreen";
import { ZonesScreen } from "./zones/ZonesScreen";

export type EventAdmin = Schemas["EventAdmin"];

export interface SectionProps {
  event: EventAdmin;
  /** The event as a write answered it (a new name, a new join code…), for the whole console. */
  onEventChange: (event: EventAdmin) => void;
}

export interface Section {
  /** The last part of the address: /organizer/events/<id>/<slug>. */
  slug: string;
  label: MessageKey;
  Screen: ComponentType<SectionProps>;
}

/** The days before: setting the event up, in the order an organizer usually goes. */
export const SETUP_SECTIONS: Section[] = [
  { slug: "event", label: "org.nav.event", Screen: EventSettings },
  { slug: "zones", label: "org.nav.zones", Screen: ZonesScreen },
  { slug: "topics", label: "org.nav.topics", Screen: TopicsScreen },
  { slug: "agenda", label: "org.nav.agenda", Screen: AgendaSetup },
  { slug: "imports", label: "org.nav.imports", Screen: ImportsScreen },
  { slug: "posters", label: "org.nav.posters", Screen: PostersScreen },
];

/** During the event: the live dashboard adds its entry here (the nav shows this group once it has one). */
export const LIVE_SECTIONS: Section[] = [];
