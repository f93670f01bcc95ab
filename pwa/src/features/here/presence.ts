import type { Presence } from "../../data/resources";
import type { OutboxItem } from "../../offline/db";

export type PresenceView =
  | { state: "here"; presence: Presence }
  /** A check-in saved on this phone, not yet sent. */
  | { state: "pending" }
  | { state: "away" };

/** Where the person is, as far as this phone knows: the latest check-in or "I'm leaving" still waiting to
 * be sent wins over the server's last answer, which counts only until it expires. */
export function presenceView(server: Presence | null | undefined, pending: readonly OutboxItem[], now: number): PresenceView {
  const latest = pending.filter((item) => item.kind === "checkin" || item.kind === "leave").at(-1);
  if (latest) return latest.kind === "checkin" ? { state: "pending" } : { state: "away" };
  if (server && Date.parse(server.expires_at) > now) return { state: "here", presence: server };
  return { state: "away" };
}
