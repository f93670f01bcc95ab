import { useT } from "../../../i18n";
import type { FileProblem } from "./importFile";

/** Why a file was refused, problem by problem: where ("line 4"), which field, what is wrong. */
export function FileProblems({ problems }: { problems: FileProblem[] }) {
  const t = useT();
  return (
    <div role="alert" class="alert">
      <p>{t("org.imports.refused")}</p>
      <ul class="problems">
        {problems.map((p, i) => (
          <li key={i}>
            {p.field
              ? t("org.imports.problemField", { where: p.where, field: p.field, problem: p.problem })
              : t("org.imports.problem", { where: p.where, problem: p.problem })}
          </li>
        ))}
      </ul>
    </div>
  );
}
