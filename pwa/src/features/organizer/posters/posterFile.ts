import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";

/** A poster needs the organizer's token, so it is fetched as a Blob, never linked to directly. */
export async function posterFile(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<Blob> {
  const data = await unwrap(call);
  if (!(data instanceof Blob)) throw new TypeError("not a file");
  return data;
}

export function posterSvg(eventId: number, zoneId: number): Promise<Blob> {
  return posterFile(
    api.GET("/api/events/{event_id}/zones/{zone_id}/poster.svg", {
      params: { path: { event_id: eventId, zone_id: zoneId } },
      parseAs: "blob",
    }),
  );
}
