import { useState } from "react";
import { api } from "../api";
import type { SecretSummary } from "../bindings";
import { useConsole } from "../console";
import { countdown, dateTime } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { DeleteNowDialog } from "../components/Dialogs";

export function DeletionsScreen() {
  const c = useConsole();
  const page = useLoad(
    () => api.querySecrets({ Text: "", SortBy: "deletion-date", Descending: false, IncludeDeleted: false, OnlyDeleted: true, Offset: 0, Limit: 1000 }),
    [c.revision],
  );
  const [deleting, setDeleting] = useState<SecretSummary | null>(null);
  const restore = (r: SecretSummary) => c.act(() => api.restoreSecret(r.ARN), page.reload);
  return (
    <section className="screen">
      <div className="screen-head">
        <div>
          <h1>Deletion schedule</h1>
          <p className="muted">Secrets waiting out their recovery window. Restore one to bring it back as it was.</p>
        </div>
      </div>
      {page.error && <ErrorBox error={page.error} onRetry={page.reload} />}
      {!page.value && !page.error && <Spinner />}
      {page.value && page.value.Total === 0 && (
        <Empty title="Nothing is scheduled for deletion." testid="deletions-empty">
          <span>Secrets you delete with a recovery window wait here until their deletion date.</span>
        </Empty>
      )}
      {page.value && page.value.Total > 0 && (
        <div className="card flush">
          <table className="grid-table" data-testid="deletions-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Deleted</th>
                <th>Deletion date</th>
                <th>Time left</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {page.value.Rows.map((r) => (
                <tr key={r.ARN} data-testid="deletion-row" data-name={r.Name}>
                  <td>
                    <div className="mono">{r.Name}</div>
                    <div className="muted small">{r.Description}</div>
                  </td>
                  <td>{dateTime(r.DeletedDate)}</td>
                  <td>{dateTime(r.DeletionDate)}</td>
                  <td>
                    <span className="badge warn mono">{countdown(r.DeletionDate!)}</span>
                  </td>
                  <td className="row-actions">
                    <button className="btn small" onClick={() => restore(r)} data-testid="restore">
                      Restore
                    </button>
                    <button className="btn small danger-ghost" onClick={() => setDeleting(r)} data-testid="delete-now">
                      Delete now…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <DeleteNowDialog
          arn={deleting.ARN}
          name={deleting.Name}
          onClose={() => setDeleting(null)}
          onDone={(m) => {
            setDeleting(null);
            c.notify(m);
            page.reload();
          }}
        />
      )}
    </section>
  );
}
