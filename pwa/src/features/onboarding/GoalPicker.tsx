import type { Profile } from "../../data/resources";
import { useT, type MessageKey } from "../../i18n";

type Goal = Profile["goals"][number];

const GOALS: Goal[] = ["learn", "hire", "get_hired", "find_clients", "find_investors", "meet_speakers", "partner"];

export function GoalPicker({ selected, onChange }: { selected: Goal[]; onChange: (goals: Goal[]) => void }) {
  const t = useT();
  const toggle = (goal: Goal, on: boolean) =>
    onChange(on ? [...selected, goal] : selected.filter((g) => g !== goal));
  return (
    <fieldset class="goals">
      <legend>{t("onboarding.goals")}</legend>
      {GOALS.map((goal) => (
        <div class="check" key={goal}>
          <input
            id={`goal-${goal}`}
            type="checkbox"
            checked={selected.includes(goal)}
            onChange={(e) => toggle(goal, e.currentTarget.checked)}
          />
          <label for={`goal-${goal}`}>{t(`goal.${goal}` as MessageKey)}</label>
        </div>
      ))}
    </fieldset>
  );
}
