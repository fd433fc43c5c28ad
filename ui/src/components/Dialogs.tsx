import { useEffect, useMemo, useState } from "react";
import { api, asIpcError } from "../api";
import type { ActInfo, IpcError, LabelMove, Tag, VersionLabels, VersionView } from "../bindings";
import { shortId } from "../format";
import { Labels } from "./Bits";

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: React.ReactNode;
  footer: React.ReactNode;
  testid: string;
  wide?: boolean;
}) {
  useEffect(() => {
    // Escape closes the dialog and nothing else: caught before the screens' own keys (which
    // would otherwise see it after the dialog is gone, and leave the screen).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      props.onClose();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  });
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div className={`modal ${props.wide ? "wide" : ""}`} role="dialog" aria-label={props.title} data-testid={props.testid}>
        <header>
          <h2>{props.title}</h2>
          <button className="icon-btn" onClick={props.onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="modal-body">{props.children}</div>
        <footer>{props.footer}</footer>
      </div>
    </div>
  );
}

/** Runs an act, showing its error in the dialog; closes with its message on success. */
export function useAct(onDone: (message: string) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const run = async (f: () => Promise<{ message: string }>) => {
    setBusy(true);
    setError(null);
    try {
      onDone((await f()).message);
    } catch (e) {
      setError(asIpcError(e));
    } finally {
      setBusy(false);
    }
  };
  const errorView = error && (
    <div className="error-box" role="alert" data-testid="dialog-error">
      <strong>{error.code}</strong> {error.message}
    </div>
  );
  return { busy, run, errorView };
}

/** One of the core's vault-wide acts, asked as the core asks it. */
export function ActDialog(props: { info: ActInfo; onClose: () => void; onDone: (m: string) => void }) {
  const act = useAct(props.onDone);
  return (
    <Modal
      title={props.info.title}
      onClose={props.onClose}
      testid="act-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={act.busy} onClick={() => act.run(() => api.perform(props.info.act))} data-testid="act-confirm">
            {props.info.title}
          </button>
        </>
      }
    >
      <p>{props.info.question}</p>
      {act.errorView}
    </Modal>
  );
}

export function CreateSecretDialog(props: {
  onClose: () => void;
  onCreated: (message: string) => void;
  onError: (e: unknown) => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [value, setValue] = useState("");
  const [tags, setTags] = useState<Tag[]>([]);
  const [secretType, setSecretType] = useState("");
  const act = useAct(props.onCreated);
  const submit = () =>
    act.run(() =>
      api.createSecret({
        name,
        description: description || null,
        value: value || null,
        tags: tags.filter((t) => t.Key),
        secretType: secretType || null,
      }),
    );
  return (
    <Modal
      title="New secret"
      onClose={props.onClose}
      testid="create-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={!name || act.busy} onClick={submit} data-testid="create-submit">
            Create secret
          </button>
        </>
      }
    >
      <label className="field">
        <span>Name</span>
        <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="prod/payments/db" data-testid="create-name" />
        <small>1–512 characters of A–Z a–z 0–9 / _ + = . @ -</small>
      </label>
      <label className="field">
        <span>Description</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="create-description" />
      </label>
      <label className="field">
        <span>Value</span>
        <textarea rows={5} className="mono" value={value} onChange={(e) => setValue(e.target.value)} placeholder='{"username":"app","password":"…"}' data-testid="create-value" />
        <small>Leave empty to create the secret without a version.</small>
      </label>
      <label className="field">
        <span>Type</span>
        <input value={secretType} onChange={(e) => setSecretType(e.target.value)} placeholder="SalesforceClientSecret" data-testid="create-type" />
        <small>Only for a managed external secret: the partner that holds it. Leave empty otherwise.</small>
      </label>
      <div className="field">
        <span>Tags</span>
        {tags.map((t, i) => (
          <div className="tag-edit" key={i}>
            <input placeholder="Key" value={t.Key} onChange={(e) => setTags(tags.map((x, j) => (j === i ? { ...x, Key: e.target.value } : x)))} />
            <input placeholder="Value" value={t.Value} onChange={(e) => setTags(tags.map((x, j) => (j === i ? { ...x, Value: e.target.value } : x)))} />
            <button className="icon-btn" onClick={() => setTags(tags.filter((_, j) => j !== i))} aria-label="Remove tag">
              ×
            </button>
          </div>
        ))}
        <button className="btn small" onClick={() => setTags([...tags, { Key: "", Value: "" }])}>
          + Add tag
        </button>
      </div>
      {act.errorView}
    </Modal>
  );
}

export function PutValueDialog(props: { arn: string; name: string; onClose: () => void; onDone: (m: string) => void }) {
  const [value, setValue] = useState("");
  const act = useAct(props.onDone);
  let jsonNote = "";
  if (value.trim().startsWith("{")) {
    try {
      JSON.parse(value);
      jsonNote = "Valid JSON";
    } catch {
      jsonNote = "Not valid JSON (it will be stored as text)";
    }
  }
  return (
    <Modal
      title={`New value for ${props.name}`}
      onClose={props.onClose}
      testid="put-value-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn" disabled={act.busy} onClick={() => act.run(() => api.putGeneratedValue(props.arn))} title="A 32-character random password (GetRandomPassword), never shown here: reveal the version to see it" data-testid="put-generated-value">
            Generate one
          </button>
          <button className="btn primary" disabled={!value || act.busy} onClick={() => act.run(() => api.putValue(props.arn, value))} data-testid="put-value-submit">
            Save as AWSCURRENT
          </button>
        </>
      }
    >
      <label className="field">
        <span>Value</span>
        <textarea autoFocus rows={8} className="mono" value={value} onChange={(e) => setValue(e.target.value)} data-testid="put-value-input" />
        <small>{jsonNote || "The new version becomes AWSCURRENT; the current one becomes AWSPREVIOUS."}</small>
      </label>
      {act.errorView}
    </Modal>
  );
}

export function DescriptionDialog(props: { arn: string; current: string; onClose: () => void; onDone: (m: string) => void }) {
  const [value, setValue] = useState(props.current);
  const act = useAct(props.onDone);
  return (
    <Modal
      title="Edit description"
      onClose={props.onClose}
      testid="description-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={act.busy} onClick={() => act.run(() => api.updateDescription(props.arn, value))} data-testid="description-submit">
            Save
          </button>
        </>
      }
    >
      <label className="field">
        <span>Description</span>
        <textarea autoFocus rows={3} value={value} onChange={(e) => setValue(e.target.value)} data-testid="description-input" />
      </label>
      {act.errorView}
    </Modal>
  );
}

export function ScheduleDeletionDialog(props: { arn: string; name: string; onClose: () => void; onDone: (m: string) => void }) {
  const [days, setDays] = useState(30);
  const act = useAct(props.onDone);
  return (
    <Modal
      title={`Schedule deletion of ${props.name}`}
      onClose={props.onClose}
      testid="schedule-deletion-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn danger" disabled={act.busy} onClick={() => act.run(() => api.scheduleDeletion(props.arn, days))} data-testid="schedule-deletion-submit">
            Schedule deletion
          </button>
        </>
      }
    >
      <p>
        The secret stops answering reads and writes at once, and is deleted for good after the recovery window. Until then you can restore it from
        the deletion schedule.
      </p>
      <label className="field">
        <span>Recovery window: {days} days</span>
        <input type="range" min={7} max={30} value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="deletion-days" />
      </label>
      {act.errorView}
    </Modal>
  );
}

export function DeleteNowDialog(props: { arn: string; name: string; onClose: () => void; onDone: (m: string) => void }) {
  const [typed, setTyped] = useState("");
  const act = useAct(props.onDone);
  return (
    <Modal
      title="Delete now, without recovery"
      onClose={props.onClose}
      testid="delete-now-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn danger" disabled={typed !== props.name || act.busy} onClick={() => act.run(() => api.deleteNow(props.arn, typed))} data-testid="delete-now-submit">
            Delete forever
          </button>
        </>
      }
    >
      <p>
        Every version of <strong className="mono">{props.name}</strong> and its key material are destroyed. This cannot be undone.
      </p>
      <label className="field">
        <span>Type the secret's name to confirm</span>
        <input autoFocus className="mono" value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="delete-now-name" />
      </label>
      {act.errorView}
    </Modal>
  );
}

export function MoveLabelDialog(props: {
  arn: string;
  versions: VersionView[];
  initialLabel: string;
  initialTo: string;
  title: string;
  onClose: () => void;
  onDone: (m: string) => void;
}) {
  const [label, setLabel] = useState(props.initialLabel);
  const [to, setTo] = useState(props.initialTo);
  const act = useAct(props.onDone);
  // The core's plan (the rule the vault applies), asked again as the label or version changes.
  const [plan, setPlan] = useState<LabelMove | null>(null);
  const before: VersionLabels[] = useMemo(() => props.versions.map((v) => ({ versionId: v.VersionId, stages: v.VersionStages })), [props.versions]);
  useEffect(() => {
    let live = true;
    setPlan(null);
    api.planLabelMove(before, label.trim(), to).then((p) => live && setPlan(p), () => {});
    return () => {
      live = false;
    };
  }, [before, label, to]);
  const after: VersionLabels[] = plan?.after ?? before;
  const from = plan?.steps[0]?.from ?? null;
  const unchanged = plan !== null && plan.steps.length === 0;
  const changed = (vid: string) =>
    JSON.stringify(before.find((v) => v.versionId === vid)?.stages) !== JSON.stringify(after.find((v) => v.versionId === vid)?.stages);
  return (
    <Modal
      wide
      title={props.title}
      onClose={props.onClose}
      testid="move-label-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className="btn primary"
            disabled={!label.trim() || plan === null || unchanged || act.busy}
            onClick={() => act.run(() => api.moveLabel(props.arn, label, to, from))}
            data-testid="move-label-confirm"
          >
            Move {label} to {shortId(to)}
          </button>
        </>
      }
    >
      <div className="form-row">
        <label className="field">
          <span>Label</span>
          <input list="known-labels" className="mono" value={label} onChange={(e) => setLabel(e.target.value)} data-testid="move-label-name" />
          <datalist id="known-labels">
            <option>AWSCURRENT</option>
            <option>AWSPREVIOUS</option>
            <option>AWSPENDING</option>
          </datalist>
        </label>
        <label className="field">
          <span>To version</span>
          <select className="mono" value={to} onChange={(e) => setTo(e.target.value)} data-testid="move-label-to">
            {before.map((v) => (
              <option key={v.versionId} value={v.versionId}>
                {shortId(v.versionId)} {v.stages.join(" ")}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="before-after" data-testid="before-after">
        <thead>
          <tr>
            <th>Version</th>
            <th>Before</th>
            <th>After</th>
          </tr>
        </thead>
        <tbody>
          {before.map((v, i) => (
            <tr key={v.versionId} className={changed(v.versionId) ? "changed" : ""}>
              <td className="mono">{shortId(v.versionId)}</td>
              <td>
                <Labels stages={v.stages} />
              </td>
              <td>
                <Labels stages={after[i].stages} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {unchanged && <p className="muted">That version holds {label} already.</p>}
      {act.errorView}
    </Modal>
  );
}

export function TypeDialog(props: { arn: string; current: string; onClose: () => void; onDone: (m: string) => void }) {
  const [value, setValue] = useState(props.current);
  const act = useAct(props.onDone);
  return (
    <Modal
      title="Set Type"
      onClose={props.onClose}
      testid="type-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={act.busy || value.trim() === ""} onClick={() => act.run(() => api.updateType(props.arn, value.trim()))} data-testid="type-submit">
            Save
          </button>
        </>
      }
    >
      <label className="field">
        <span>Type</span>
        <input autoFocus value={value} onChange={(e) => setValue(e.target.value)} placeholder="SalesforceClientSecret" data-testid="type-input" />
        <small>The partner holding this managed external secret (up to 256 characters).</small>
      </label>
      {act.errorView}
    </Modal>
  );
}
