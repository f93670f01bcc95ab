import { useT } from "../../i18n";
import { PersonPhoto } from "./PersonPhoto";

interface Shown {
  name: string;
  headline: string;
  company: string | null;
  ask_me_about?: string;
  find_me_hint?: string;
  photo_url?: string | null;
}

/** The top of a person's card, wherever it is shown: photo, name, "headline · company", then what to ask them
 * about and how to spot them in the hallway. */
export function PersonHead({ person, titleId }: { person: Shown; titleId: string }) {
  const t = useT();
  const about = [person.headline, person.company].filter(Boolean).join(" · ");
  return (
    <>
      <div class="person-head">
        <PersonPhoto url={person.photo_url} name={person.name} />
        <div>
          <h3 id={titleId}>{person.name}</h3>
          {about && <p class="hint card-line">{about}</p>}
        </div>
      </div>
      {person.ask_me_about && (
        <p class="card-line">
          <strong>{t("card.askLabel")}</strong> {person.ask_me_about}
        </p>
      )}
      {person.find_me_hint && (
        <p class="card-line">
          <strong>{t("card.findLabel")}</strong> {person.find_me_hint}
        </p>
      )}
    </>
  );
}
