import { useEffect, useState } from "react";
import { api } from "../api";
import type { RekeyView } from "../bindings";
import { Modal, useAct } from "./Dialogs";

/** Runs an act that re-keys the vault (removing an operator, changing a passphrase) and
 * shows the core's progress line while it runs: every secret and audit event is sealed anew,
 * which takes a while in a large vault. */
export function useRekey() {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<RekeyView | null>(null);
  useEffect(() => {
    if (!running) return;
    const poll = () => api.rekeyProgress().then((p) => p && setProgress(p), () => undefined);
    const timer = setInterval(poll, 250);
    return () => clearInterval(timer);
  }, [running]);
  const run = async <T,>(f: () => Promise<T>): Promise<T> => {
    setProgress(null);
    setRunning(true);
    try {
      return await f();
    } finally {
      setRunning(false);
      setProgress(null);
    }
  };
  const view = running && (
    <Modal
      title="Re-keying the vault"
      onClose={() => undefined}
      testid="rekey-progress"
      footer={<span className="muted small">It cannot be stopped halfway: a crash or a closed window leaves the vault as it was.</span>}
    >
      <progress className="rekey-bar" max={100} value={progress?.percent ?? 0} aria-label="re-key progress" />
      <p data-testid="rekey-line">{progress?.line ?? "Re-keying: starting…"}</p>
      <p className="muted small">Every key is replaced and everything they protect is sealed anew, in one transaction.</p>
    </Modal>
  );
  return { run, view, running };
}

/** A new passphrase typed twice, with a note while the two differ. Test ids: `testid` and
 * `testid-again`. */
export function PassphraseTwice(props: {
  label: string;
  value: string;
  again: string;
  onValue: (v: string) => void;
  onAgain: (v: string) => void;
  testid: string;
}) {
  const mismatch = props.again !== "" && props.again !== props.value;
  return (
    <div className="form-row">
      <label className="field">
        <span>{props.label}</span>
        <input type="password" autoComplete="new-password" value={props.value} onChange={(e) => props.onValue(e.target.value)} data-testid={props.testid} />
      </label>
      <label className="field">
        <span>Again</span>
        <input type="password" autoComplete="new-password" value={props.again} onChange={(e) => props.onAgain(e.target.value)} data-testid={`${props.testid}-again`} />
        {mismatch && <small className="danger-text">The passphrases differ.</small>}
      </label>
    </div>
  );
}

/** The unlocked operator's own passphrase: the current one, and the new one twice. */
export function ChangePassphraseDialog(props: { operator: string; onClose: () => void; onDone: (m: string) => void }) {
  const [old, setOld] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const rekey = useRekey();
  const act = useAct(props.onDone);
  const submit = () => act.run(() => rekey.run(() => api.changePassphrase(old, next)));
  if (rekey.view) return rekey.view;
  return (
    <Modal
      title={`Change ${props.operator}'s passphrase`}
      onClose={props.onClose}
      testid="change-passphrase-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={!old || !next || next !== again || act.busy} onClick={submit} data-testid="change-passphrase-submit">
            Change and re-key
          </button>
        </>
      }
    >
      <p className="muted small">
        The vault is re-keyed: your old passphrase opens nothing written from now on, even with a copy of the file made before.
      </p>
      <label className="field">
        <span>Current passphrase</span>
        <input type="password" autoComplete="current-password" autoFocus value={old} onChange={(e) => setOld(e.target.value)} data-testid="old-passphrase" />
      </label>
      <PassphraseTwice label="New passphrase" value={next} again={again} onValue={setNext} onAgain={setAgain} testid="new-passphrase" />
      {act.errorView}
    </Modal>
  );
}
