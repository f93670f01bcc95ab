import { useEffect } from "preact/hooks";
import { unwrap } from "../api/client";
import { api } from "../app/api";
import { createStore, useStore } from "../app/store";
import { session } from "../auth/session";
import { language, type Lang } from "../i18n";
import { readCache, writeCache } from "../offline/cache";
import type { EventInfo, Topic } from "./resources";

/** A zone or topic as the organizer named it: a default name, and optionally one per language. */
export interface Named {
  name: string;
  name_fr?: string | null;
  name_en?: string | null;
}

/** The name to show in `lang`: the organizer's name for that language, else the default one. */
export function localName(named: Named, lang: Lang): string {
  return (lang === "fr" ? named.name_fr : named.name_en) || named.name;
}

interface Vocabulary {
  zones: Map<number, Named>;
  topics: Map<number, Named>;
  /** By default name, for answers that carry only the name (a contact's zone, shared topics). */
  byName: Map<string, Named>;
}

const vocabulary = createStore<Vocabulary>({ zones: new Map(), topics: new Map(), byName: new Map() });

function learn(kind: "zones" | "topics", items: readonly (Named & { id: number })[]): void {
  const known = vocabulary.get();
  const next = { ...known, [kind]: new Map(items.map((item) => [item.id, item])) };
  next.byName = new Map([...next.zones.values(), ...next.topics.values()].map((item) => [item.name, item]));
  vocabulary.set(next);
}

/** Fed by the event and topics resources, from the network or this phone's copy: works offline. */
export function learnNames(resource: string, value: unknown): void {
  if (resource === "event") learn("zones", (value as EventInfo).zones);
  if (resource === "topics") learn("topics", value as Topic[]);
}

let primed = false;

/** Once per page load: this phone's copies at once, then the topics afresh (the Here and Contacts screens
 * show topics without loading the vocabulary themselves). */
function prime(): void {
  if (primed) return;
  primed = true;
  for (const name of ["event", "topics"] as const) {
    void readCache(name).then((cached) => cached && learnNames(name, cached.value));
  }
  const eventId = session.get()?.event_id;
  if (eventId == null) return;
  void unwrap(api.GET("/api/events/{event_id}/topics", { params: { path: { event_id: eventId } } }))
    .then(async (topics) => {
      learnNames("topics", topics);
      await writeCache("topics", topics);
    })
    .catch(() => undefined); // offline: the phone's copy stands
}

export interface LocalNames {
  zone(ref: Named & { id: number }): string;
  topic(ref: Named & { id: number }): string;
  /** A zone or topic known only by its default name. */
  named(name: string): string;
}

/** Names of zones and topics in the screen's language. */
export function useLocalNames(): LocalNames {
  const lang = useStore(language);
  const { zones, topics, byName } = useStore(vocabulary);
  useEffect(prime, []);
  const pick = (known: Named | undefined, fallback: Named) => localName(known ?? fallback, lang);
  return {
    zone: (ref) => pick(zones.get(ref.id), ref),
    topic: (ref) => pick(topics.get(ref.id), ref),
    named: (name) => pick(byName.get(name), { name }),
  };
}
