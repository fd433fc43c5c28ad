import { useState } from "react";
import { api } from "../api";
import type { IpcError, VaultStatus } from "../bindings";
import { RunningBadges } from "../components/Running";

export function Unlock(props: {
  status: VaultStatus;
  reason: string | null;
  onUnlocked: (s: VaultStatus) => void;
}) {
  const { status } = props;
  const [operator, setOperator] = useState(status.operators[0] ?? "");
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  async function attach() {
    setBusy(true);
    setError(null);
    try {
      props.onUnlocked(await api.attachSession());
    } catch (err) {
      setError(err as IpcError);
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.unlock(operator || null, passphrase);
      setPassphrase("");
      props.onUnlocked(s);
    } catch (err) {
      setError(err as IpcError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="unlock-screen">
      <form className="unlock-card" onSubmit={submit} data-testid="unlock-form">
        <div className="brand-mark large" aria-hidden>
          C
        </div>
        <h1>Unlock Coffer</h1>
        <p className="muted">Your secrets stay on this machine, encrypted.</p>
        {props.reason && (
          <div className="notice" data-testid="lock-reason">
            {props.reason}
          </div>
        )}
        <dl className="vault-facts">
          <dt>Vault</dt>
          <dd className="mono" data-testid="vault-path" title={status.path}>
            {status.path}
          </dd>
          {status.accountId && (
            <>
              <dt>Account</dt>
              <dd className="mono">
                {status.accountId} · {status.region}
              </dd>
            </>
          )}
        </dl>
        <RunningBadges locked onAttach={status.exists ? attach : undefined} />
        {!status.exists ? (
          <div className="error-box" data-testid="no-vault">
            No vault at this path. Create one with <code>coffer init</code>, or open another with{" "}
            <code>--vault PATH</code>.
          </div>
        ) : (
          <>
            <label className="field">
              <span>Operator</span>
              {status.operators.length > 1 ? (
                <select value={operator} onChange={(e) => setOperator(e.target.value)} data-testid="unlock-operator">
                  {status.operators.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ) : (
                <input value={operator} onChange={(e) => setOperator(e.target.value)} data-testid="unlock-operator" />
              )}
            </label>
            <label className="field">
              <span>Passphrase</span>
              <input
                type="password"
                autoFocus
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
                data-testid="unlock-passphrase"
              />
            </label>
            {error && (
              <div className="error-box" role="alert" data-testid="unlock-error">
                <strong>{error.code}</strong> {error.message}
              </div>
            )}
            <button className="btn primary wide" disabled={busy || !passphrase} data-testid="unlock-submit">
              {busy ? "Unlocking…" : "Unlock"}
            </button>
          </>
        )}
      </form>
    </div>
  );
}
