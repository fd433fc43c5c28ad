// The approval queue: rotations that wait for an operator, oldest first. Approving starts
// the rotation at once on the core's background runner; rejecting needs a reason. Under the
// two-person rule, whoever asked may not decide.
import { useEffect, useState } from "react";
import { api } from "../api";
import type { AttemptView } from "../bindings";
import { useConsole } from "../console";
import { dateTime, principalName, relative, shortId } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { Modal, useAct } from "../components/Dialogs";
import { functionName } from "./Rotation";

type Deciding = { a: AttemptView; approve: boolean };

export function ApprovalsScreen() {
  const c = useConsole();
  // The background jobs' runs change nothing in the vault: look again every few seconds.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((t) => t + 1), 5000);
    return () => clearInterval(id);
  }, []);
  const q = useLoad(() => api.approvals(), [c.revision, tick]);
  const [deciding, setDeciding] = useState<Deciding | null>(null);
  const v = q.value;
  return (
    <section className="screen" data-testid="approvals">
      <div className="screen-head">
        <div>
          <h1>Approvals</h1>
          <p className="muted">Rotations waiting for an operator. Approving one starts it now; rejecting one needs a reason, kept in its history.</p>
        </div>
        {v && (
          <div className="background-panel" data-testid="background-status" title="What this app does on its own while the vault is unlocked">
            <div>
              <span className={`dot ${v.background.running ? (v.background.jobs.some((j) => j.lastError) ? "failed" : "succeeded") : ""}`} />
              {v.background.running ? "Background jobs running" : "Background jobs stopped"}
            </div>
            {v.background.jobs.map((j) => (
              <div key={j.job} className={j.lastError ? "danger-text small" : "muted small"} data-testid={`background-${j.job}`}>{j.line}</div>
            ))}
          </div>
        )}
      </div>
      {q.error && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!v && !q.error && <Spinner />}
      {v && v.pending.length === 0 && (
        <Empty title="Nothing waits for approval." testid="approvals-empty">
          <span>Secrets set to need approval (Rotation tab) queue their due and requested rotations here.</span>
        </Empty>
      )}
      {v && v.pending.length > 0 && (
        <div className="card flush">
          <table className="grid-table" data-testid="approvals-table">
            <thead>
              <tr>
                <th>Secret</th>
                <th>Requested</th>
                <th>By</th>
                <th>Function</th>
                <th>New version</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {v.pending.map((a) => {
                const own = !a.MayDecide;
                return (
                  <tr key={a.Id} data-testid="approval-row" data-name={a.SecretName}>
                    <td>
                      <button className="link mono" onClick={() => c.navigate({ screen: "secret", arn: a.SecretARN, tab: "rotation" })}>
                        {a.SecretName}
                      </button>
                      {a.TwoPersonRule && <div className="muted small">two-person rule</div>}
                    </td>
                    <td>
                      {dateTime(a.RequestedMs / 1000)} <span className="muted small">({relative(a.RequestedMs / 1000)}, {a.Trigger === "Schedule" ? "scheduled" : "asked"})</span>
                    </td>
                    <td>{principalName(a.RequestedBy)}</td>
                    <td className="mono">{functionName(a.RotationLambdaARN)}</td>
                    <td className="mono" title={a.Token}>
                      {shortId(a.Token)}
                    </td>
                    <td className="row-actions">
                      <button
                        className="btn small primary"
                        disabled={own}
                        title={own ? "Two-person rule: you asked for this rotation, so another operator must approve it" : "Approve: the rotation starts now"}
                        onClick={() => setDeciding({ a, approve: true })}
                        data-testid="approve"
                      >
                        Approve
                      </button>
                      <button className="btn small danger-ghost" disabled={own} onClick={() => setDeciding({ a, approve: false })} data-testid="reject">
                        Reject…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {deciding && (
        <DecideDialog
          {...deciding}
          onClose={() => setDeciding(null)}
          onDone={(m) => {
            setDeciding(null);
            c.notify(m);
            q.reload();
          }}
        />
      )}
    </section>
  );
}

function DecideDialog(props: Deciding & { onClose: () => void; onDone: (m: string) => void }) {
  const [reason, setReason] = useState("");
  const act = useAct(props.onDone);
  const { a, approve } = props;
  return (
    <Modal
      title={`${approve ? "Approve" : "Reject"} the rotation of ${a.SecretName}`}
      onClose={props.onClose}
      testid="decide-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className={`btn ${approve ? "primary" : "danger"}`}
            disabled={act.busy || (!approve && !reason.trim())}
            onClick={() => act.run(() => (approve ? api.approveRotation(a.SecretARN, reason || null) : api.rejectRotation(a.SecretARN, reason)))}
            data-testid="decide-submit"
          >
            {approve ? "Approve and rotate" : "Reject"}
          </button>
        </>
      }
    >
      <p>
        {principalName(a.RequestedBy)} asked {relative(a.RequestedMs / 1000)} for a new version <span className="mono">{shortId(a.Token)}</span> made by{" "}
        <span className="mono">{functionName(a.RotationLambdaARN)}</span>.{" "}
        {approve ? "It runs createSecret, setSecret, testSecret and finishSecret now; AWSCURRENT moves when they succeed." : "The secret keeps its value; AWSPENDING comes off the new version."}
      </p>
      <label className="field">
        <span>Reason {approve ? "(optional)" : "(required)"}</span>
        <textarea autoFocus rows={3} maxLength={1024} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="decide-reason" />
        <small>Kept in the rotation's history and the audit log.</small>
      </label>
      {act.errorView}
    </Modal>
  );
}
