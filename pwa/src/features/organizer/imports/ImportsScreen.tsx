import type { SectionProps } from "../sections";
import { AttendeeImport } from "./AttendeeImport";
import { ProgrammeImport } from "./ProgrammeImport";

/** Files from the conference's other tools: its programme, and its ticketing export. */
export function ImportsScreen({ event }: SectionProps) {
  return (
    <>
      <ProgrammeImport eventId={event.id} />
      <AttendeeImport eventId={event.id} slug={event.slug} />
    </>
  );
}
