import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, networkError, unwrap, type Schemas } from "../api/client";
import { api } from "../app/api";
import { session } from "../auth/session";
import { readCache, writeCache } from "../offline/cache";
import { learnNames } from "./localNames";

export type Profile = Schemas["AttendeePrivate"];
export type EventInfo = Schemas["EventPublic"];
export type Topic = Schemas["TopicPublic"];
export type Agenda = Schemas["Agenda"];
export type Presence = Schemas["PresencePublic"];
export type Suggestions = Schemas["Suggestions"];
export type ZoneCount = Schemas["ZoneCount"];
export type Contact = Schemas["ContactPublic"];
export type ContactRequests = Schemas["ContactRequests"];
export type NetworkingReturn = Schemas["NetworkingReturn"];
export type Sharing = Schemas["Sharing"];
export type Block = Schemas["BlockPublic"];
export type PushPreferences = Schemas["PushPreferences"];
export type SavedPeople = Schemas["SavedPeople"];
export type Bookmarks = Schemas["Bookmarks"];
export type Rendezvous = Schemas["RendezvousPublic"];

export interface Resources {
  profile: Profile;
  event: EventInfo;
  topics: Topic[];
  agenda: Agenda;
  /** null: not checked in (never was, left, or it expired). */
  presence: Presence | null;
  suggestions: Suggestions;
  zoneCounts: ZoneCount[];
  contacts: Contact[];
  requests: ContactRequests;
  networking: NetworkingReturn;
  sharing: Sharing;
  blocks: Block[];
  pushPreferences: PushPreferences;
  saved: SavedPeople;
  rendezvous: Rendezvous[];
  /** My card QR (SVG text): a vCard any phone camera opens, for people without the app. */
  cardQr: string;
  bookmarks: Bookmarks;
}

export type ResourceName = keyof Resources;

function eventId(): number {
  const id = session.get()?.event_id;
  if (id == null) throw new ApiError(401, "NotAuthenticated", null);
  return id;
}

const eventPath = () => ({ params: { path: { event_id: eventId() } } });

const CONTACTS_PAGE = 100;

/** Every contact, page by page: the whole list is kept on the phone for offline viewing and export. */
async function allContacts(): Promise<Contact[]> {
  const contacts: Contact[] = [];
  for (let offset = 0; ; offset += CONTACTS_PAGE) {
    const page = await unwrap(api.GET("/api/contacts", { params: { query: { limit: CONTACTS_PAGE, offset } } }));
    contacts.push(...page.items);
    if (page.items.length < CONTACTS_PAGE || contacts.length >= page.total) return contacts;
  }
}

/** The last suggestions answer and its ETag, for the account that got it. */
let held: { owner: number; etag: string; value: Suggestions } | undefined;

/** How the last suggestions fetches went, for the refresh's pace (features/here/useLiveRefresh.ts). */
export const suggestionsPace = { unchanged: 0, failures: 0, retryAfterMs: undefined as number | undefined };

/** Suggestions, asked with the ETag of the answer held: a 304 (nothing changed) keeps it, and costs the
 * server much less than a new answer. */
async function suggestions(): Promise<Suggestions> {
  const owner = session.get()?.subject_id ?? -1;
  const known = held?.owner === owner ? held : undefined;
  const params = known ? { header: { "if-none-match": known.etag } } : {};
  try {
    let result;
    try {
      result = await api.GET("/api/me/suggestions", { params });
    } catch {
      throw networkError();
    }
    const { response } = result;
    if (response.status === 304 && known) {
      suggestionsPace.unchanged += 1;
    } else if (result.data) {
      const etag = response.headers.get("ETag");
      held = etag ? { owner, etag, value: result.data } : undefined;
      suggestionsPace.unchanged = 0;
    } else {
      throw ApiError.from(response.status, result.error, response.headers.get("Retry-After"));
    }
    suggestionsPace.failures = 0;
    suggestionsPace.retryAfterMs = undefined;
    return result.data ?? known!.value;
  } catch (error) {
    suggestionsPace.failures += 1;
    suggestionsPace.retryAfterMs = error instanceof ApiError ? error.retryAfterMs : undefined;
    throw error;
  }
}

const loaders: { [N in ResourceName]: () => Promise<Resources[N]> } = {
  profile: () => unwrap(api.GET("/api/me")),
  event: () => unwrap(api.GET("/api/events/{event_id}/public", eventPath())),
  topics: () => unwrap(api.GET("/api/events/{event_id}/topics", eventPath())),
  agenda: () => unwrap(api.GET("/api/events/{event_id}/agenda", eventPath())),
  presence: async () => (await unwrap(api.GET("/api/me/presence"))) ?? null,
  suggestions,
  zoneCounts: () => unwrap(api.GET("/api/events/{event_id}/zone-counts", eventPath())),
  contacts: allContacts,
  requests: () => unwrap(api.GET("/api/contact-requests")),
  networking: () => unwrap(api.GET("/api/me/networking")),
  sharing: () => unwrap(api.GET("/api/me/sharing")),
  blocks: () => unwrap(api.GET("/api/me/blocks")),
  pushPreferences: () => unwrap(api.GET("/api/me/push-preferences")),
  saved: () => unwrap(api.GET("/api/me/saved")),
  rendezvous: () => unwrap(api.GET("/api/me/rendezvous")),
  cardQr: async () => String(await unwrap(api.GET("/api/me/card-qr.svg", { parseAs: "text" }))),
  bookmarks: () => unwrap(api.GET("/api/me/bookmarks")),
};

const changeListeners = new Set<(names: readonly ResourceName[]) => void>();

/** Something changed on the server (a queued write went through): screens showing these reload them. */
export function invalidate(...names: ResourceName[]): void {
  for (const listener of changeListeners) listener(names);
}

/** Keeps a server answer as the phone's copy, and tells the screens to fetch afresh. */
export async function stored<N extends ResourceName>(name: N, value: Resources[N]): Promise<void> {
  await writeCache(name, value);
  invalidate(name);
}

export interface Resource<T> {
  data?: T;
  /** When `data` was fetched: shown when it comes from this phone rather than the network. */
  savedAt?: number;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

type State<T> = Omit<Resource<T>, "reload"> & { fresh?: boolean };

/** The last-fetched copy at once (works offline), then a fresh one from the API when it answers. */
export function useResource<N extends ResourceName>(name: N): Resource<Resources[N]> {
  const [state, setState] = useState<State<Resources[N]>>({ loading: true });
  const latest = useRef(0);

  const reload = useCallback(() => {
    // Only the newest fetch may land: an older answer arriving late would undo a change just made.
    const fetchNumber = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve()
      .then(loaders[name])
      .then(async (data) => {
        if (fetchNumber !== latest.current) return;
        setState({ data, loading: false, fresh: true });
        learnNames(name, data);
        await writeCache(name, data);
      })
      .catch((error: unknown) => {
        if (fetchNumber !== latest.current) return;
        const apiError = error instanceof ApiError ? error : networkError();
        setState((s) => ({ ...s, error: apiError, loading: false }));
      });
  }, [name]);

  useEffect(() => {
    let live = true;
    void readCache<Resources[N]>(name).then((cached) => {
      if (!live || !cached) return;
      setState((s) => (s.fresh ? s : { ...s, data: cached.value, savedAt: cached.savedAt }));
      learnNames(name, cached.value);
    });
    reload();
    const onChange = (names: readonly ResourceName[]) => names.includes(name) && reload();
    changeListeners.add(onChange);
    window.addEventListener("online", reload);
    return () => {
      live = false;
      changeListeners.delete(onChange);
      window.removeEventListener("online", reload);
    };
  }, [name, reload]);

  const { fresh: _fresh, ...shown } = state;
  return { ...shown, reload };
}
