import { linkCode } from "./linkCode";

/** The check-in token in a zone poster's URL (https://host/z/<token>), or null for any other code. */
export function zoneToken(text: string): string | null {
  return linkCode(text, /^\/z\/([A-Za-z0-9_-]{8,128})\/?$/);
}

export type CheckinRequest = { token: string } | { code: string };
