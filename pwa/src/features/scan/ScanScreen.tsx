import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import { outbox, useOutbox } from "../../app/outbox";
import { followLink, navigate } from "../../app/router";
import type { Contact } from "../../data/resources";
import { useT, type Translate } from "../../i18n";
import type { Outcome } from "../../offline/queue";
import { errorMessage } from "../../ui/errors";
import { Field } from "../../ui/Field";
import { Alert, Screen } from "../../ui/Screen";
import { ShareChoice, useSharingChosen } from "../contacts/ShareChoice";
import { ExchangeNav } from "../mycode/ExchangeNav";
import { saveCheckin, saveConnectScan } from "./checkin";
import { connectCode } from "./connectLink";
import { loadDecoder, type Decode } from "./decoder";
import { useCamera } from "./useCamera";
import { zoneToken, type CheckinRequest } from "./zoneLink";

const SCAN_ERRORS = {
  UnknownZone: "scan.unknownZone",
  UnknownConnectCode: "scan.unknownConnect",
  Conflict: "scan.closed",
} as const;

/** Why the server refused a scanned or typed code, in the person's words; undefined if it did not. */
function refusal(t: Translate, outcome: Outcome): string | undefined {
  return outcome.state === "dropped" ? errorMessage(t, ApiError.from(outcome.status, outcome.error), SCAN_ERRORS) : undefined;
}

/** A check-in that went through (or waits on this phone) continues on the Here screen; a refused one
 * stays here and says why. */
async function checkIn(request: CheckinRequest): Promise<Outcome> {
  const outcome = await saveCheckin(request);
  if (outcome.state !== "dropped") navigate("/here");
  return outcome;
}

const SCAN_INTERVAL_MS = 200;

/** What became of a connect code saved offline: waiting on this phone, sent by the outbox later, or refused
 * (the outbox's toast then says why). */
function useSavedCode(saved: boolean): "waiting" | "sent" | "refused" {
  const { pending, dropped } = useOutbox();
  const [waiting, setWaiting] = useState(true);
  useEffect(() => {
    if (!saved) return setWaiting(true);
    let live = true;
    void outbox.pendingOf("connectScan").then((items) => live && setWaiting(items.length > 0));
    return () => {
      live = false;
    };
  }, [saved, pending]);
  if (waiting) return "waiting";
  return dropped.some(({ item }) => item.kind === "connectScan") ? "refused" : "sent";
}

/** Check in by scanning a zone poster; the camera is asked for here only, on a tap. The zone's short
 * code is the fallback when the camera is refused or missing. */
export function ScanScreen() {
  const t = useT();
  const camera = useCamera();
  const [result, setResult] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const savedCode = useSavedCode(saved);
  const [error, setError] = useState<string>();
  const [refused, setRefused] = useState(false);
  // A scanned connect code gives both sides each other's details: the first time, I see and choose mine first.
  const chosen = useSharingChosen();
  const [held, setHeld] = useState<string>();

  async function connect(code: string) {
    const outcome = await saveConnectScan(code);
    setError(refusal(t, outcome));
    setSaved(outcome.state === "pending");
    setResult(outcome.state === "sent" ? t("scan.connected", { name: (outcome.data as Contact).name }) : null);
  }

  const shown = saved
    ? { waiting: t("scan.connectSaved"), sent: t("scan.connectSent"), refused: null }[savedCode]
    : result;

  /** True when the code was ours (a zone poster or someone's connect code): scanning stops there. */
  function found(text: string): boolean {
    const token = zoneToken(text);
    const code = token ? null : connectCode(text);
    setRefused(!token && !code);
    if (!token && !code) return false;
    camera.stop();
    if (token) void checkIn({ token }).then((outcome) => setError(refusal(t, outcome)));
    if (code && chosen) void connect(code);
    else if (code) setHeld(code);
    return true;
  }

  useScanner(camera.state === "on" ? camera.video.current : null, found);

  return (
    <Screen title={t("scan.title")}>
      <ExchangeNav current="scan" />
      <p class="lead">{t("scan.intro")}</p>
      {shown && (
        <p class="card" role="status">
          {shown}{" "}
          <a href="/contacts" onClick={followLink}>
            {t("scan.openContacts")}
          </a>
        </p>
      )}
      <Alert text={error} />
      {held && (
        <ShareChoice
          onChosen={() => {
            setHeld(undefined);
            void connect(held);
          }}
          onCancel={() => setHeld(undefined)}
        />
      )}
      {camera.state === "on" || camera.state === "starting" ? (
        <div class="viewfinder">
          <video ref={camera.video} muted playsInline aria-label={t("scan.video")} />
          <p role="status">{t("scan.looking")}</p>
          <button type="button" onClick={camera.stop}>
            {t("scan.stop")}
          </button>
        </div>
      ) : (
        <button type="button" class="btn-primary" onClick={() => void camera.start().then(() => (setResult(null), setSaved(false), setError(undefined)))}>
          {t("scan.start")}
        </button>
      )}
      <Alert text={refused ? t("scan.notOurs") : undefined} />
      <Alert text={camera.state === "denied" ? t("scan.denied") : camera.state === "unavailable" ? t("scan.unavailable") : undefined} />
      <ManualCode onRefused={setError} />
    </Screen>
  );
}

/** Decodes frames from the playing video until `onText` accepts a code. */
function useScanner(video: HTMLVideoElement | null, onText: (text: string) => boolean) {
  const decoder = useRef<Promise<Decode> | null>(null);
  useEffect(() => {
    decoder.current ??= loadDecoder();
  }, []);
  useEffect(() => {
    if (!video) return;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let done = false;
    let busy = false;
    const timer = setInterval(async () => {
      if (done || busy || !context || video.readyState < video.HAVE_CURRENT_DATA || !decoder.current) return;
      busy = true;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const text = (await decoder.current)(context.getImageData(0, 0, canvas.width, canvas.height));
      busy = false;
      // One poster, one check-in: nothing more is read once a code is accepted.
      if (text && !done && onText(text)) done = true;
    }, SCAN_INTERVAL_MS);
    return () => {
      done = true;
      clearInterval(timer);
    };
  }, [video]);
}

function ManualCode({ onRefused }: { onRefused: (error: string | undefined) => void }) {
  const t = useT();
  const [code, setCode] = useState("");
  async function submit(event: Event) {
    event.preventDefault();
    const outcome = await checkIn({ code: code.trim().toUpperCase() });
    setCode("");
    onRefused(refusal(t, outcome));
  }
  return (
    <form class="stack manual" onSubmit={submit}>
      <Field
        id="zone-code"
        label={t("scan.manual")}
        hint={t("scan.manualHint")}
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
        required
        minLength={3}
        maxLength={8}
        autoComplete="off"
        autoCapitalize="characters"
        spellcheck={false}
      />
      <button type="submit">{t("scan.manualSubmit")}</button>
    </form>
  );
}
