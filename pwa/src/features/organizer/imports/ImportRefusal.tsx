import { useT } from "../../../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { fileProblems } from "./importFile";

const FILE_ERRORS = {
  UnsupportedFileType: "org.imports.unsupported",
  PayloadTooLarge: "org.imports.tooLarge",
} as const;

/** Why an import failed: for a refused file, problem by problem (where: "line 4", which field, what is
 * wrong); otherwise the error in the person's words. */
export function ImportRefusal({ error }: { error: unknown }) {
  const t = useT();
  const problems = fileProblems(error);
  if (problems.length === 0) return <Alert text={errorMessage(t, error, FILE_ERRORS)} />;
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
