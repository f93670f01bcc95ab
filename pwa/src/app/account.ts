import { unwrap, type Tokens } from "../api/client";
import { tokenStore } from "../auth/session";
import { chooseLanguage } from "../i18n";
import { unsubscribeThisDevice } from "../data/push";
import type { Profile } from "../data/resources";
import { clearLocalData, readCache, writeCache } from "../offline/cache";
import { api } from "./api";
import { notice } from "./notices";
import { outbox } from "./outbox";
import { navigate } from "./router";

/** A device signs in: keep the tokens and (for an attendee) the profile, and speak the profile's language. */
export async function signIn(tokens: Tokens, profile?: Profile): Promise<void> {
  if (!(await samePersonAsBefore(tokens))) {
    // Someone else used this phone: their queued writes and cached data must never go out or show
    // under this account.
    await clearLocalData();
    await outbox.recount();
  }
  await tokenStore.save(tokens);
  if (tokens.subject_kind === "organizer") return; // no profile, and nothing of theirs is ever queued
  profile ??= await unwrap(api.GET("/api/me")).catch(() => undefined);
  if (profile) {
    await writeCache("profile", profile);
    await chooseLanguage(profile.language);
  }
  void outbox.replay(); // writes queued before the session ended can go now
}

async function samePersonAsBefore(tokens: Tokens): Promise<boolean> {
  const previous = tokenStore.current();
  if (previous) return previous.subject_kind === tokens.subject_kind && previous.subject_id === tokens.subject_id;
  const cached = await readCache<Profile>("profile");
  return !cached || (tokens.subject_kind === "attendee" && cached.value.id === tokens.subject_id);
}

async function forget(next?: string): Promise<void> {
  const organizer = tokenStore.current()?.subject_kind === "organizer";
  await clearLocalData();
  await outbox.recount();
  await tokenStore.save(null);
  navigate(next ?? (organizer ? "/organizer" : "/join"), { replace: true });
}

/** Ends this device's session; works offline too (the server session then simply expires). `next` is where
 * the phone goes then (the join link someone else opened on it). */
export async function signOut(next?: string): Promise<void> {
  const refresh = tokenStore.current()?.refresh_token;
  await unsubscribeThisDevice().catch(() => undefined);
  if (refresh) await api.POST("/api/auth/logout", { body: { refresh_token: refresh } }).catch(() => undefined);
  await forget(next);
}

/** Erases the attendee on the server, then everything this phone kept. Needs the network. */
export async function deleteAccount(): Promise<void> {
  await unwrap(api.DELETE("/api/me"));
  // The server erased its side with the account (asking it again would meet a closed session).
  await unsubscribeThisDevice({ tellServer: false }).catch(() => undefined);
  await forget();
  notice.set("toast.deleted");
}
