import { useState } from "react";
import { api } from "../api";
import type { SecretRow } from "../bindings";
import { useConsole } from "../console";
import { countdown, dateTime } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { DeleteNowDialog } from "../components/Dialogs";

export function DeletionsScreen() {
  const c = useConsole();
  const page = useLoad(
    () => api.querySecrets({ text: "", sort: "deletion", descending: false, includeDeleted: false, onlyDeleted: true, offset: 0, limit: 1000 }),
    [c.revision],
  );
  const [deleting, setDeleting] = useState<SecretRow | null>(null);
  const restore = (r: SecretRow) => c.act(() => api.restoreSecret(r.arn), page.reload);
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
      {page.value && page.value.total === 0 && (
        <Empty title="Nothing is scheduled for deletion." testid="deletions-empty">
          <span>Secrets you delete with a recovery window wait here until their deletion date.</span>
        </Empty>
      )}
      {page.value && page.value.total > 0 && (
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
              {page.value.rows.map((r) => (
                <tr key={r.arn} data-testid="deletion-row" data-name={r.name}>
                  <td>
                    <div className="mono">{r.name}</div>
                    <div className="muted small">{r.description}</div>
                  </td>
                  <td>{dateTime(r.deletedDate)}</td>
                  <td>{dateTime(r.deletionDate)}</td>
                  <td>
                    <span className="badge warn mono">{countdown(r.deletionDate!)}</span>
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
          arn={deleting.arn}
          name={deleting.name}
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
