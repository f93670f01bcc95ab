/** Only a path of this app may be opened from a notification: never another origin, whatever the payload
 * says (a scheme-relative "//host" or "/\\host" would leave the app). */
export function safePath(url: unknown): string {
  return typeof url === "string" && /^\/(?![/\\])/.test(url) ? url : "/here";
}
