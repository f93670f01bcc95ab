import { followLink } from "../../app/router";
import { useT } from "../../i18n";

/** Scan and My code are the two sides of one exchange: one tap between them. */
export function ExchangeNav({ current }: { current: "scan" | "code" }) {
  const t = useT();
  return (
    <nav class="switcher" aria-label={t("exchange.label")}>
      <a href="/scan" onClick={followLink} aria-current={current === "scan" ? "page" : undefined}>
        {t("exchange.scan")}
      </a>
      <a href="/code" onClick={followLink} aria-current={current === "code" ? "page" : undefined}>
        {t("exchange.myCode")}
      </a>
    </nav>
  );
}
