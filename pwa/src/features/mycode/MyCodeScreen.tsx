import { useEffect, useMemo, useState } from "preact/hooks";
import { useResource } from "../../data/resources";
import { useT } from "../../i18n";
import { Screen } from "../../ui/Screen";
import { ShareChoice, useSharingChosen } from "../contacts/ShareChoice";
import { ExchangeNav } from "./ExchangeNav";
import { qrDrawing } from "./qr";
import { useConnectCode } from "./useConnectCode";

/** My personal connect QR (rotating; scanned by someone with the app, it makes us contacts at once), and
 * my card QR for people without the app. Its own chunk, with the QR encoder. */
export default function MyCodeScreen() {
  const t = useT();
  // Showing either code gives my details to whoever scans it: the first time, I see and choose what first.
  const chosen = useSharingChosen();
  const [justChosen, setJustChosen] = useState(false);
  return (
    <Screen title={t("code.title")}>
      <ExchangeNav current="code" />
      {chosen || justChosen ? (
        <>
          <ConnectQr />
          <CardQr />
        </>
      ) : (
        chosen === false && <ShareChoice onChosen={() => setJustChosen(true)} />
      )}
    </Screen>
  );
}

function ConnectQr() {
  const t = useT();
  const { code, failed } = useConnectCode();
  const drawing = useMemo(() => (code ? qrDrawing(code.url) : undefined), [code?.url]);
  return (
    <section class="card qr-card" aria-labelledby="connect-title">
      <h2 id="connect-title">{t("code.connect")}</h2>
      <p class="hint">{t("code.connectHint")}</p>
      {drawing ? (
        <svg
          class="qr"
          viewBox={`0 0 ${drawing.size} ${drawing.size}`}
          role="img"
          aria-label={t("code.connectAlt")}
          shape-rendering="crispEdges"
        >
          <rect width={drawing.size} height={drawing.size} fill="#fff" />
          <path d={drawing.path} fill="#000" />
        </svg>
      ) : (
        <p role="status">{failed ? t("code.offline") : t("common.loading")}</p>
      )}
    </section>
  );
}

/** The SVG comes from the server (my shared details as a vCard); kept on the phone, so it shows offline. */
function CardQr() {
  const t = useT();
  const svg = useResource("cardQr").data;
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    if (!svg) return;
    const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    setSrc(url);
    return () => URL.revokeObjectURL(url);
  }, [svg]);
  return (
    <section class="card qr-card" aria-labelledby="card-title">
      <h2 id="card-title">{t("code.card")}</h2>
      <p class="hint">{t("code.cardHint")}</p>
      {src ? <img class="qr" src={src} alt={t("code.cardAlt")} /> : <p role="status">{t("common.loading")}</p>}
    </section>
  );
}
