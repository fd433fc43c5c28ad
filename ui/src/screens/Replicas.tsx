// A secret's Replicas tab: where it is replicated and how each replica stands
// (ReplicationStatus), the vault's replica regions and whether their files are there;
// replicate to a region (with a KMS key there), remove a replica, promote one, retry.
// On a replica: its primary region, and promotion here. Cross-account: a primary's replica
// in another account (associate, disassociate, with its status), or a replica's primary
// there (and making it standalone).
import { useState } from "react";
import { api } from "../api";
import type { SecretView } from "../bindings";
import { useConsole } from "../console";
import { dateTime } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { Modal } from "../components/Dialogs";

/** The badge class of a replica's status. */
export function replicaStatusClass(status: string): string {
  if (status === "InSync") return "ok";
  if (status === "Failed") return "danger";
  if (status === "Detached" || status === "Pending") return "";
  return "warn";
}

type Confirming =
  | { kind: "remove" | "promote"; region: string }
  | { kind: "promote-here" }
  | { kind: "disassociate"; replicaArn: string }
  | null;

export function ReplicasTab({ d }: { d: SecretView }) {
  const c = useConsole();
  const view = useLoad(() => api.replicas(d.Secret.ARN), [d.Secret.ARN, c.revision]);
  const [region, setRegion] = useState("");
  const [kmsKey, setKmsKey] = useState("");
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [replicaArn, setReplicaArn] = useState("");
  const v = view.value;
  const act = (f: () => Promise<{ message: string }>) => c.act(f, view.reload);
  if (view.error) return <ErrorBox error={view.error} onRetry={view.reload} />;
  if (!v) return <Spinner />;
  const taken = new Set(v.ReplicationStatus.map((r) => r.Region));
  const free = v.Regions.filter((r) => !taken.has(r.Region));
  const chosen = region || free[0]?.Region || "";
  const live = d.DeletionDate === null;
  const xp = v.CrossAccountPrimary;
  return (
    <div className="replicas" data-testid="replicas">
      {xp ? (
        <div className="card" data-testid="cross-account-primary">
          <div className="card-toolbar">
            <h3>Cross-account replica</h3>
            <span className={`badge ${replicaStatusClass(xp.ReplicationStatus)}`} data-testid="cross-account-status">
              {xp.ReplicationStatus}
            </span>
          </div>
          <p>
            This secret takes its versions from <code className="wrap">{xp.PrimarySecretARN}</code> in another account, and no writes here.
            Making it standalone stops that (StopReplicationToReplica).
          </p>
          {xp.StatusMessage && <p className="wrap">{xp.StatusMessage}</p>}
          <button className="btn danger-ghost" onClick={() => setConfirming({ kind: "promote-here" })} data-testid="promote-here">
            Make standalone…
          </button>
        </div>
      ) : v.IsReplica ? (
        <div className="card" data-testid="replica-of">
          <div className="card-toolbar">
            <h3>Replica</h3>
            <span className="badge">of {v.PrimaryRegion}</span>
          </div>
          <p>
            This secret is a replica of the one in <strong>{v.PrimaryRegion}</strong>: it takes writes only from its primary.
            Promoting it makes it a standalone secret in {v.HomeRegion} (StopReplicationToReplica).
          </p>
          <button className="btn danger-ghost" onClick={() => setConfirming({ kind: "promote-here" })} data-testid="promote-here">
            Promote here…
          </button>
        </div>
      ) : (
        <>
          <div className="card" data-testid="replica-status">
            <div className="card-toolbar">
              <h3>Replicas</h3>
              <button className="btn" onClick={() => void act(() => api.perform("SyncReplicas"))} data-testid="sync-replicas">
                Retry now
              </button>
            </div>
            {v.ReplicationStatus.length === 0 ? (
              <Empty title="Not replicated">Primary region: {v.HomeRegion}. Choose a replica region below.</Empty>
            ) : (
              <table className="grid-table" data-testid="replica-table">
                <thead>
                  <tr>
                    <th>Region</th>
                    <th>Status</th>
                    <th>KMS key</th>
                    <th>Last accessed</th>
                    <th>Message</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {v.ReplicationStatus.map((r) => (
                    <tr key={r.Region} data-testid={`replica-${r.Region}`}>
                      <td className="mono">{r.Region}</td>
                      <td>
                        <span className={`badge ${replicaStatusClass(r.Status)}`} data-testid="replica-state">
                          {r.Status}
                        </span>
                      </td>
                      <td className="mono">{r.KmsKeyId ?? "—"}</td>
                      <td>{r.LastAccessedDate ? dateTime(r.LastAccessedDate) : "—"}</td>
                      <td className="wrap">{r.StatusMessage ?? ""}</td>
                      <td className="actions">
                        <button className="btn small" onClick={() => setConfirming({ kind: "promote", region: r.Region })} data-testid="promote-replica">
                          Promote…
                        </button>
                        <button className="btn small danger-ghost" onClick={() => setConfirming({ kind: "remove", region: r.Region })} data-testid="remove-replica">
                          Remove…
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {live && free.length > 0 && (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(() => api.replicateSecret(d.Secret.ARN, chosen, kmsKey || null));
                  setKmsKey("");
                }}
                data-testid="add-replica"
              >
                <label>
                  Replicate to
                  <select value={chosen} onChange={(e) => setRegion(e.target.value)} data-testid="replica-region">
                    {free.map((r) => (
                      <option key={r.Region} value={r.Region}>
                        {r.Region}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  KMS key there
                  <input value={kmsKey} placeholder="aws/secretsmanager" onChange={(e) => setKmsKey(e.target.value)} data-testid="replica-kms" />
                </label>
                <button className="btn primary" type="submit" data-testid="replicate">
                  Replicate
                </button>
              </form>
            )}
          </div>
          <div className="card" data-testid="cross-account-replicas">
            <div className="card-toolbar">
              <h3>Cross-account replica</h3>
            </div>
            {v.CrossAccountReplicas.length === 0 ? (
              <Empty title="No cross-account replica">
                Another account makes one with CreateSecret and CrossAccountPrimaryARN naming this secret; associate it here.
              </Empty>
            ) : (
              <table className="grid-table" data-testid="cross-account-table">
                <thead>
                  <tr>
                    <th>Replica</th>
                    <th>Status</th>
                    <th>Message</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {v.CrossAccountReplicas.map((r) => (
                    <tr key={r.ReplicaSecretARN}>
                      <td className="mono wrap">{r.ReplicaSecretARN}</td>
                      <td>
                        <span className={`badge ${replicaStatusClass(r.ReplicationStatus)}`} data-testid="cross-account-state">
                          {r.ReplicationStatus}
                        </span>
                      </td>
                      <td className="wrap">{r.StatusMessage ?? ""}</td>
                      <td className="actions">
                        <button
                          className="btn small danger-ghost"
                          onClick={() => setConfirming({ kind: "disassociate", replicaArn: r.ReplicaSecretARN })}
                          data-testid="disassociate"
                        >
                          Disassociate…
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {live && (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  const arn = replicaArn.trim();
                  if (!arn) return;
                  void act(() => api.associateCrossAccountReplica(d.Secret.ARN, arn));
                  setReplicaArn("");
                }}
                data-testid="associate-form"
              >
                <label>
                  Replica ARN
                  <input
                    value={replicaArn}
                    placeholder="arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"
                    onChange={(e) => setReplicaArn(e.target.value)}
                    data-testid="replica-arn"
                  />
                </label>
                <button className="btn primary" type="submit" data-testid="associate">
                  Associate
                </button>
              </form>
            )}
            {v.Accounts.length === 0 ? (
              <p className="muted">
                No other account's vault is registered: <code>coffer replica-account add --account-id ID --replica-vault FILE</code>
              </p>
            ) : (
              <p className="muted" data-testid="replica-accounts">
                Accounts:{" "}
                {v.Accounts
                  .map((a) => `${a.AccountId} (${a.Replaced ? "replaced" : a.Reachable ? "reachable" : "unreachable"})`)
                  .join(", ")}
              </p>
            )}
          </div>
          <div className="card" data-testid="replica-regions">
            <div className="card-toolbar">
              <h3>Replica regions of this vault</h3>
            </div>
            {v.Regions.length === 0 ? (
              <Empty title="No replica regions yet">
                Register a vault file (say, on a backup drive): <code>coffer replica-region add --region eu-west-1 --vault FILE</code>
              </Empty>
            ) : (
              <table className="grid-table">
                <thead>
                  <tr>
                    <th>Region</th>
                    <th>Vault file</th>
                    <th>File</th>
                    <th>Secrets</th>
                    <th>In sync</th>
                    <th>Waiting</th>
                    <th>Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {v.Regions.map((r) => (
                    <tr key={r.Region}>
                      <td className="mono">{r.Region}</td>
                      <td className="mono wrap">{r.VaultPath}</td>
                      <td>
                        {r.Replaced ? (
                          <span className="badge danger" title="The file there is not the vault registered for this region: nothing is pushed to it." data-testid="region-replaced">
                            replaced
                          </span>
                        ) : (
                          <span className={`badge ${r.Reachable ? "ok" : "danger"}`}>{r.Reachable ? "reachable" : "unreachable"}</span>
                        )}
                      </td>
                      <td>{r.Secrets}</td>
                      <td>{r.InSync}</td>
                      <td>{r.InProgress + r.QueuedRemovals}</td>
                      <td>{r.Failed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
      {confirming && (
        <Modal
          title={
            confirming.kind === "remove"
              ? `Remove the replica in ${confirming.region}?`
              : confirming.kind === "promote"
                ? `Promote the replica in ${confirming.region}?`
                : confirming.kind === "disassociate"
                  ? "Disassociate the cross-account replica?"
                  : `Promote this replica in ${v.HomeRegion}?`
          }
          onClose={() => setConfirming(null)}
          testid="replica-dialog"
          footer={
            <>
              <button className="btn" onClick={() => setConfirming(null)}>
                Cancel
              </button>
              <button
                className="btn danger"
                data-testid="replica-confirm"
                onClick={() => {
                  const k = confirming;
                  setConfirming(null);
                  if (k.kind === "remove") void act(() => api.removeReplica(d.Secret.ARN, k.region));
                  else if (k.kind === "promote") void act(() => api.promoteReplica(d.Secret.ARN, k.region));
                  else if (k.kind === "disassociate") void act(() => api.disassociateCrossAccountReplica(d.Secret.ARN, k.replicaArn));
                  else void act(() => api.promoteReplica(d.Secret.ARN, null));
                }}
              >
                {confirming.kind === "remove" ? "Remove" : confirming.kind === "disassociate" ? "Disassociate" : "Promote"}
              </button>
            </>
          }
        >
          <p>
            {confirming.kind === "remove"
              ? "RemoveRegionsFromReplication: the replica is deleted there — at once, or when its vault file can next be reached."
              : confirming.kind === "promote"
                ? "StopReplicationToReplica in that region: the replica becomes a standalone secret there and stops receiving this secret's changes."
                : confirming.kind === "disassociate"
                  ? `DisassociateCrossAccountReplica: ${confirming.replicaArn} stops receiving this secret's changes and stays in its account, Detached.`
                  : "StopReplicationToReplica: this secret stops receiving its primary's changes and takes writes here."}
          </p>
        </Modal>
      )}
    </div>
  );
}
