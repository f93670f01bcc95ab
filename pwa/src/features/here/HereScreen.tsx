import { usePending } from "../../app/outbox";
import { followLink } from "../../app/router";
import { suggestionsPace, useResource, type Profile } from "../../data/resources";
import { useT } from "../../i18n";
import type { OutboxItem } from "../../offline/db";
import { Screen } from "../../ui/Screen";
import { Stale } from "../../ui/Stale";
import { BreakCountdown } from "../agenda/BreakCountdown";
import { breakStatus } from "../agenda/timeline";
import { useNow } from "../agenda/useNow";
import { InstallHint } from "../install/InstallHint";
import { MyRendezvous } from "../rendezvous/MyRendezvous";
import { Huddles, WhereToGo, ZoneCounts } from "./Around";
import { PresenceCard } from "./PresenceCard";
import { presenceView } from "./presence";
import { SuggestionCard, type ConnectState } from "./SuggestionCard";
import { refreshDelay, useLiveRefresh } from "./useLiveRefresh";
import { Visibility } from "./Visibility";

/** Where the person is and who is around: people to meet with why and what to say, huddles, and where to
 * go when nobody is near. Refreshed while open; the last answer stays readable offline. */
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
  const pending = usePending("checkin", "leave", "profile", "contactRequest", "block");
  const rendezvous = useResource("rendezvous");
  useLiveRefresh([presence.reload, suggestions.reload, zoneCounts.reload, requests.reload, rendezvous.reload], () => {
    const status = agenda ? breakStatus(agenda.breaks, Date.now()) : null;
    return refreshDelay({ ...suggestionsPace, breakMinutesLeft: status?.state === "now" ? status.minutesLeft : undefined });
  });

  const view = presenceView(presence.data, pending, now);
  const visible = visibleNow(profile, pending);
  const here = suggestions.data;
  const blocked = new Set(pending.filter((i) => i.kind === "block").map((i) => (i.payload as { attendee_id: number }).attendee_id));
  const people = view.state === "here" ? (here?.suggestions ?? []).filter((s) => !blocked.has(s.attendee.id)) : [];

  function connectState(attendeeId: number): ConnectState {
    const waiting = pending.some(
      (i) => i.kind === "contactRequest" && (i.payload as { to_attendee_id: number }).to_attendee_id === attendeeId,
    );
    if (waiting) return "waiting";
    return requests.data?.sent.some((r) => r.to.id === attendeeId) ? "sent" : "none";
  }

  return (
    <Screen title={profile ? t("here.welcome", { name: profile.display_name }) : t("here.title")}>
      {agenda && <BreakCountdown breaks={agenda.breaks} />}
      <MyRendezvous during />
      <PresenceCard view={view} timeZone={timeZone} />
      {profile && <Visibility visible={visible ?? profile.visible} />}
      {here?.missing.includes("interests") && (
        <p class="card">
          {t("here.noInterests")}{" "}
          <a href="/onboarding" onClick={followLink}>
            {t("here.addInterests")}
          </a>
        </p>
      )}
      {suggestions.error && <Stale savedAt={suggestions.savedAt} />}
      {people.length > 0 && (
        <section aria-labelledby="people-title">
          <h2 id="people-title">{t("here.peopleHere")}</h2>
          <ul class="plain">
            {people.map((suggestion) => (
              <SuggestionCard key={suggestion.attendee.id} suggestion={suggestion} connect={connectState(suggestion.attendee.id)} />
            ))}
          </ul>
        </section>
      )}
      {view.state === "here" && visible && here && people.length === 0 && <p>{t("here.nobody")}</p>}
      {view.state === "here" && <Huddles huddles={here?.huddles ?? []} />}
      {people.length === 0 && <WhereToGo zones={here?.where_to_go ?? []} />}
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
