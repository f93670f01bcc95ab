import type { MessageKey } from "../i18n";
import { useT } from "../i18n";
import { followLink } from "./router";

interface Tab {
  path: string;
  label: MessageKey;
  icon: string; // an SVG path, drawn with a stroke
  /** Other screens under this tab: My code sits with Scan, the two sides of an exchange. */
  also?: string[];
}

const TABS: Tab[] = [
  { path: "/here", label: "nav.here", icon: "M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21zM12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z" },
  { path: "/scan", label: "nav.scan", icon: "M4 8V4h4M16 4h4v4M20 16v4h-4M8 20H4v-4M8 12h8", also: ["/code"] },
  {
    path: "/contacts",
    label: "nav.contacts",
    icon: "M15 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM21 19v-1a3.5 3.5 0 0 0-3-3.4M16 5.2a3 3 0 0 1 0 5.6",
  },
  { path: "/agenda", label: "nav.agenda", icon: "M4 6h16v14H4zM4 10h16M9 3v5M15 3v5" },
  { path: "/settings", label: "nav.settings", icon: "M4 7h10M18 7h2M4 17h2M10 17h10M14 5v4M6 15v4" },
];

/** Bottom tabs: the thumb reaches them on a phone held in one hand. */
export function TabBar({ path }: { path: string }) {
  const t = useT();
  return (
    <nav class="tabbar" aria-label={t("nav.label")}>
      {TABS.map((tab) => (
        <a
          key={tab.path}
          href={tab.path}
          onClick={followLink}
          aria-current={[tab.path, ...(tab.also ?? [])].some((p) => path.startsWith(p)) ? "page" : undefined}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d={tab.icon} />
          </svg>
          <span>{t(tab.label)}</span>
        </a>
      ))}
    </nav>
  );
}
