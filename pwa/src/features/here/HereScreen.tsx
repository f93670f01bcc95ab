import { usePending } from "../../app/outbox";
import { followLink } from "../../app/router";
import { suggestionsPace, useResource, type Profile } from "../../data/resources";
import { useT } from "../../i18n";
import type { OutboxItem } from "../../offline/db";
import { Screen } from "../../ui/Screen";
import { Stale } from "../../ui/Stale";
import { breakStatus } from "../agenda/timeline";
import { useNow } from "../agenda/useNow";
import { InstallHint } from "../install/InstallHint";
import { NudgeOffer } from "../push/NudgeOffer";
import { MyRendezvous } from "../rendezvous/MyRendezvous";
import { Huddles, WhereToGo, ZoneCounts } from "./Around";
import { NextBreak } from "./NextBreak";
import { PresenceCard } from "./PresenceCard";
import { presenceView } from "./presence";
import { SavedList } from "./Saved";
import { SuggestionCard, type ConnectState } from "./SuggestionCard";
import { refreshDelay, useLiveRefresh } from "./useLiveRefresh";
import { useMorePeople } from "./useMorePeople";
import { Visibility } from "./Visibility";

/** Where the person is and who is around: people to meet with why and what to say ("more" past the first
 * few), huddles, people saved for later, the next break, and where people who share their topics are: never
 * a dead end. Refreshed while open; the last answer stays readable offline. */
export function HereScreen() {
  const t = useT();
  const now = useNow();
  const profile = useResource("profile").data;
  const agenda = useResource("agenda").data;
  const timeZone = useResource("event").data?.timezone;
  const presence = useResource("presence");
  const suggestions = useResource("suggestions");
  const zoneCounts = useResource("zoneCounts");
  const requests = useResource("requests");
  const saved = useResource("saved");
  const pending = usePending("checkin", "leave", "profile", "contactRequest", "block");
  const rendezvous = useResource("rendezvous");
  useLiveRefresh(
    [presence.reload, suggestions.reload, zoneCounts.reload, requests.reload, saved.reload, rendezvous.reload],
    () => {
      const status = agenda ? breakStatus(agenda.breaks, Date.now()) : null;
      return refreshDelay({ ...suggestionsPace, breakMinutesLeft: status?.state === "now" ? status.minutesLeft : undefined });
    },
  );

  const view = presenceView(presence.data, pending, now);
  const visible = visibleNow(profile, pending);
  const here = suggestions.data;
  const blocked = new Set(pending.filter((i) => i.kind === "block").map((i) => (i.payload as { attendee_id: number }).attendee_id));
  const more = useMorePeople(view.state === "here" ? here : undefined);
  const people =
    view.state === "here" ? [...(here?.suggestions ?? []), ...more.people].filter((s) => !blocked.has(s.attendee.id)) : [];
  const onScreen = new Set([...people.map((s) => s.attendee.id), ...blocked]);

  function connectState(attendeeId: number): ConnectState {
    const waiting = pending.some(
      (i) => i.kind === "contactRequest" && (i.payload as { to_attendee_id: number }).to_attendee_id === attendeeId,
    );
    if (waiting) return "waiting";
    return requests.data?.sent.some((r) => r.to.id === attendeeId) ? "sent" : "none";
  }

  return (
    <Screen title={profile ? t("here.welcome", { name: profile.display_name }) : t("here.title")}>
      {agenda && <NextBreak breaks={agenda.breaks} timeZone={timeZone} />}
      <MyRendezvous during />
      <PresenceCard view={view} timeZone={timeZone} />
      {view.state === "here" && <NudgeOffer />}
      {profile && <Visibility visible={visible ?? profile.visible} />}
      {here?.missing.includes("interests") && (
        <p class="card">
          {t("here.noInterests")}{" "}
          <a href="/onboarding" onClick={followLink}>
            {t("here.addInterests")}
          </a>
        </p>
      )}
      {suggestions.error && <Stale savedAt={suggestions.savedAt} timeZone={timeZone} />}
      {people.length > 0 && (
        <section aria-labelledby="people-title">
          <h2 id="people-title">{t("here.peopleHere")}</h2>
          <ul class="plain">
            {people.map((suggestion) => (
              <SuggestionCard key={suggestion.attendee.id} suggestion={suggestion} connect={connectState(suggestion.attendee.id)} />
            ))}
          </ul>
          {more.more && (
            <button type="button" onClick={more.loadMore} disabled={more.loading}>
              {t("next.more")}
            </button>
          )}
          {more.failed && <p class="hint">{t("next.moreOffline")}</p>}
        </section>
      )}
      {view.state === "here" && visible && here && people.length === 0 && <p>{t("here.nobody")}</p>}
      {view.state === "here" && <Huddles huddles={here?.huddles ?? []} />}
      <SavedList saved={saved.data} onScreen={onScreen} />
      <WhereToGo zones={here?.where_to_go ?? []} />
      <ZoneCounts counts={zoneCounts.data ?? []} />
      <InstallHint dismissible />
    </Screen>
  );
}

/** The visibility the person chose last, even if that choice still waits to be sent. */
function visibleNow(profile: Profile | undefined, pending: readonly OutboxItem[]): boolean | undefined {
  const chosen = pending
    .map((item) => (item.kind === "profile" ? (item.payload as { visible?: boolean }).visible : undefined))
    .filter((v) => v !== undefined)
    .at(-1);
  return chosen ?? profile?.visible;
}
