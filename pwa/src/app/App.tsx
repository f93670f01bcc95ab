import { useEffect } from "preact/hooks";
import { session } from "../auth/session";
import { HereScreen } from "../features/here/HereScreen";
import { JoinScreen } from "../features/join/JoinScreen";
import { LoginScreen } from "../features/login/LoginScreen";
import { OnboardingScreen } from "../features/onboarding/OnboardingScreen";
import { ScanScreen } from "../features/scan/ScanScreen";
import { SettingsScreen } from "../features/settings/SettingsScreen";
import { useT } from "../i18n";
import { lazyScreen } from "./lazy";
import { outbox } from "./outbox";
import { StatusBar } from "./StatusBar";
import { TabBar } from "./TabBar";
import { Toasts } from "./Toasts";
import { currentPath, navigate, param } from "./router";
import { useStore } from "./store";

// Loaded when first opened (and precached by the service worker, so they open offline too).
const MyCodeScreen = lazyScreen(() => import("../features/mycode/MyCodeScreen"));
const ContactsScreen = lazyScreen(() => import("../features/contacts/ContactsScreen"));
const AgendaScreen = lazyScreen(() => import("../features/agenda/AgendaScreen"));
// The organizer console: never in an attendee's initial download.
const OrganizerConsole = lazyScreen(() => import("../features/organizer/OrganizerConsole"));

/** Screens of a signed-in attendee, reached from the tab bar. */
const TABBED = {
  "/here": HereScreen,
  "/scan": ScanScreen,
  "/code": MyCodeScreen,
  "/contacts": ContactsScreen,
  "/agenda": AgendaScreen,
  "/settings": SettingsScreen,
} as const;

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** A link opened with the phone's own camera app: a zone poster (/z/TOKEN) or someone's connect code
 * (/c/CODE). The write is queued at once and sent from the outbox (after signing in, if need be). */
function QueuedLink({ kind, payload, then }: { kind: "checkin" | "connectScan"; payload: object; then: string }) {
  const signedIn = useStore(session) !== null;
  useEffect(() => {
    void outbox.enqueue(kind, payload).then(() => navigate(signedIn ? then : "/join", { replace: true }));
  }, []);
  return null;
}

function route(path: string, signedIn: boolean, organizer: boolean) {
  if (path === "/organizer" || path.startsWith("/organizer/")) return <OrganizerConsole />;
  const joinCode = param(path, "/join/");
  if (path === "/join" || joinCode !== undefined) return <JoinScreen code={joinCode ?? ""} />;
  if (path === "/login") return <LoginScreen />;
  // An organizer's session has no attendee screens, and never queues an attendee's check-in.
  if (organizer) return <Redirect to="/organizer" />;
  const zone = param(path, "/z/");
  if (zone) return <QueuedLink key={path} kind="checkin" payload={{ token: zone }} then="/here" />;
  const connect = param(path, "/c/");
  if (connect) return <QueuedLink key={path} kind="connectScan" payload={{ code: connect }} then="/contacts" />;
  if (!signedIn) return <Redirect to="/join" />;
  if (path === "/onboarding") return <OnboardingScreen />;
  const Tabbed = TABBED[path as keyof typeof TABBED];
  return Tabbed ? <Tabbed /> : <Redirect to="/here" />;
}

export function App() {
  const t = useT();
  const path = useStore(currentPath);
  const tokens = useStore(session);
  const signedIn = tokens !== null;
  const organizer = tokens?.subject_kind === "organizer";
  const tabs = signedIn && !organizer && path in TABBED;
  return (
    <div class={tabs ? "app has-tabs" : "app"}>
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <StatusBar />
      {/* Without tabs the toasts come first, in the flow: they push the screen's title down, never cover it. */}
      {!tabs && <Toasts />}
      <main id="main" class={path.startsWith("/organizer") ? "wide" : undefined}>
        {route(path, signedIn, organizer)}
      </main>
      {tabs && <Toasts />}
      {tabs && <TabBar path={path} />}
    </div>
  );
}
