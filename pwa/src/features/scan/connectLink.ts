import { linkCode } from "./linkCode";

/** The code in a personal connect QR (https://host/c/<code>), or null for any other text. The code alone
 * identifies the person, for 3 minutes. */
export function connectCode(text: string): string | null {
  return linkCode(text, /^\/c\/([A-Za-z0-9_-]{16,128})\/?$/);
}
