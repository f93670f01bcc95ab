import { api } from "../../app/api";
import { filenameOf, saveFile } from "../contacts/download";

/** My bookmarked talks (or one talk) as an .ics from the server, saved on the phone; false when it cannot
 * answer (offline): the calendar file needs the network. */
export async function downloadCalendar(talkId?: number): Promise<boolean> {
  if (!navigator.onLine) return false;
  try {
    const query = talkId === undefined ? {} : { talk_id: talkId };
    const { data, response } = await api.GET("/api/me/calendar.ics", { params: { query }, parseAs: "blob" });
    if (!response.ok || !(data instanceof Blob)) return false;
    saveFile(data, filenameOf(response.headers.get("Content-Disposition"), "couloir-agenda.ics"));
    return true;
  } catch {
    return false;
  }
}
