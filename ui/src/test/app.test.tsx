import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { App } from "../App";
import type { SecretQuery } from "../bindings";
import { detail, locked, unlocked } from "./fixtures";
import { backend, pages } from "./backend";

describe("unlock", () => {
  it("shows the vault path and sends the operator and passphrase", async () => {
    let status = locked;
    const calls = backend({
      vault_status: () => status,
      unlock: () => (status = unlocked),
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    expect(await screen.findByTestId("vault-path")).toHaveProperty("textContent", locked.path);
    fireEvent.change(screen.getByTestId("unlock-passphrase"), { target: { value: "hunter2 hunter2" } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    await screen.findByTestId("console");
    expect(calls.find((c) => c.cmd === "unlock")!.args).toEqual({ operator: "admin", passphrase: "hunter2 hunter2" });
  });

  it("shows the AWS error code of a failed unlock and stays locked", async () => {
    backend({
      vault_status: () => locked,
      unlock: () => {
        throw { code: "AccessDeniedException", message: "The passphrase does not open this vault." };
      },
    });
    render(<App />);
    fireEvent.change(await screen.findByTestId("unlock-passphrase"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    const err = await screen.findByTestId("unlock-error");
    expect(err.textContent).toContain("AccessDeniedException");
    expect(screen.queryByTestId("console")).toBeNull();
  });
});

describe("what runs on the vault", () => {
  const running = [
    { frontEnd: "session", pid: 10, address: "/run/user/1000/coffer/ab.sock", operator: "admin", startedMs: 1 },
    { frontEnd: "endpoint", pid: 11, address: "http://127.0.0.1:4566", operator: "admin", startedMs: 2 },
    { frontEnd: "agent", pid: 11, address: "127.0.0.1:2773", operator: "admin", startedMs: 2 },
  ];

  it("names the session agent and both endpoints in the top bar", async () => {
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      running: () => running,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    const bar = await screen.findByTestId("running");
    expect(bar.textContent).toBe("sessionsdk :4566agent :2773");
    expect(screen.getByTestId("running-agent").getAttribute("title")).toContain("coffer serve --agent");
  });

  it("opens through a running session from the unlock screen without the passphrase", async () => {
    let status = locked;
    const calls = backend({
      vault_status: () => status,
      attach_session: () => (status = { ...unlocked, throughSession: true }),
      running: () => running,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    expect((await screen.findByTestId("session-note")).textContent).toContain("coffer unlock");
    fireEvent.click(screen.getByTestId("attach-session"));
    await screen.findByTestId("console");
    expect(calls.some((c) => c.cmd === "unlock")).toBe(false);
    expect((await screen.findByTestId("running-session")).textContent).toBe("via session");
  });

  it("says why it locked when the session it ran through ended", async () => {
    backend({
      vault_status: () => ({ ...locked, notice: "The session ended (coffer lock, its idle time or its time limit)." }),
      running: () => [],
    });
    render(<App />);
    expect((await screen.findByTestId("lock-reason")).textContent).toContain("The session ended");
  });
});

describe("secrets table", () => {
  it("asks for one page of 100,000 secrets, never all of them", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("secrets-count").textContent).toBe("100,000 secrets"));
    expect((await screen.findAllByTestId("secret-row")).length).toBeGreaterThan(0);
    const asked = calls.filter((c) => c.cmd === "query_secrets").map((c) => (c.args.query as SecretQuery).Limit);
    expect(Math.max(...asked)).toBeLessThanOrEqual(100);
  });

  it("shows when a rotating secret rotates next, and that an open window is due", async () => {
    const now = Date.now() / 1000;
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => {
        const page = pages(a.query as SecretQuery);
        const next = [now + 2.5 * 86400, now - 60, now + 5 * 3600 + 90];
        page.Rows = page.Rows.map((r, i) => (i < next.length ? { ...r, NextRotationDate: next[i] } : r));
        return page;
      },
    });
    render(<App />);
    const badges = await screen.findAllByTestId("rotation-badge");
    expect(badges.map((b) => b.textContent)).toEqual([
      "rotates in 3d",
      "rotation due",
      expect.stringMatching(/^rotates in 5h 1m/),
    ]);
  });

  it("sends the filter text to Rust and shows the matching total", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    await screen.findAllByTestId("secret-row");
    fireEvent.change(screen.getByTestId("secrets-filter"), { target: { value: "s1" } });
    await waitFor(() => expect(screen.getByTestId("secrets-count").textContent).toBe("3 secrets match"));
    expect(calls.some((c) => c.cmd === "query_secrets" && (c.args.query as SecretQuery).Text === "s1")).toBe(true);
  });

  it("re-reads the rows on screen when the vault's revision changes", async () => {
    let rev = 1;
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => rev,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    await screen.findAllByTestId("secret-row");
    const before = calls.filter((c) => c.cmd === "query_secrets").length;
    rev = 2;
    await waitFor(() => expect(calls.filter((c) => c.cmd === "query_secrets").length).toBeGreaterThan(before), { timeout: 2000 });
  });
});

describe("secret detail", () => {
  it("the new-secret dialog sends the Type of a managed external secret", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      create_secret: () => ({ message: "Created partner/sf." }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("create-secret"));
    fireEvent.change(await screen.findByTestId("create-name"), { target: { value: "partner/sf" } });
    fireEvent.change(screen.getByTestId("create-type"), { target: { value: "SalesforceClientSecret" } });
    fireEvent.click(screen.getByTestId("create-submit"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "create_secret")).toBe(true));
    expect(calls.find((c) => c.cmd === "create_secret")!.args).toEqual({
      input: { name: "partner/sf", description: null, value: null, tags: [], secretType: "SalesforceClientSecret" },
    });
  });

  it("the overview shows a managed external secret's Type", async () => {
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => ({ ...detail, Secret: { ...detail.Secret, Type: "SalesforceClientSecret" } }),
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    await screen.findByTestId("secret-name");
    await waitFor(() => expect(document.body.textContent).toContain("SalesforceClientSecret"));
  });

  it("an existing secret's Type is set from its overview", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => detail,
      update_type: () => ({ message: "Updated the Type." }),
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    fireEvent.click(await screen.findByTestId("edit-type"));
    fireEvent.change(await screen.findByTestId("type-input"), { target: { value: "SalesforceClientSecret" } });
    fireEvent.click(screen.getByTestId("type-submit"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "update_type")).toBe(true));
    expect(calls.find((c) => c.cmd === "update_type")!.args).toEqual({ arn: detail.Secret.ARN, secretType: "SalesforceClientSecret" });
  });

  it("the new-value dialog puts a generated value without the page ever holding it", async () => {
    const said = "Put a generated value on app/s1 (version v3-00000, now AWSCURRENT).";
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => detail,
      put_generated_value: () => ({ message: said }),
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    fireEvent.click(await screen.findByTestId("put-value"));
    fireEvent.click(await screen.findByTestId("put-generated-value"));
    await waitFor(() => expect(document.body.textContent).toContain(said));
    expect(calls.find((c) => c.cmd === "put_generated_value")!.args).toEqual({ arn: detail.Secret.ARN });
    expect(calls.some((c) => c.cmd === "put_value")).toBe(false);
  });

  it("opening a secret reads no value; the value crosses only after Reveal", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => detail,
      reveal_value: () => ({ versionId: detail.Versions[0].VersionId, stages: ["AWSCURRENT"], binary: false, text: '{"password":"s3cret"}' }),
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    await screen.findByTestId("secret-name");
    fireEvent.click(screen.getByTestId("tab-value"));
    expect(screen.getByTestId("masked-value")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "reveal_value")).toBe(false);
    expect(document.body.textContent).not.toContain("s3cret");
    fireEvent.click(screen.getByTestId("reveal-value"));
    expect((await screen.findByTestId("revealed-value")).textContent).toContain("s3cret");
    expect(calls.find((c) => c.cmd === "reveal_value")!.args).toEqual({ arn: detail.Secret.ARN, versionId: detail.Versions[0].VersionId });
  });

  it("roll back moves AWSCURRENT to the AWSPREVIOUS version after a before/after confirmation", async () => {
    const [cur, prev] = detail.Versions;
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => detail,
      // The core's plan (model::labels, tested there): AWSCURRENT back, AWSPREVIOUS forward.
      plan_label_move: () => ({
        steps: [
          { label: "AWSCURRENT", from: cur.VersionId, to: prev.VersionId },
          { label: "AWSPREVIOUS", from: prev.VersionId, to: cur.VersionId },
        ],
        after: [
          { versionId: cur.VersionId, stages: ["AWSPREVIOUS"] },
          { versionId: prev.VersionId, stages: ["AWSCURRENT"] },
        ],
      }),
      move_label: () => ({ message: "Moved AWSCURRENT." }),
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    fireEvent.click(await screen.findByTestId("tab-versions"));
    fireEvent.click(screen.getByTestId("rollback"));
    expect(screen.getByTestId("before-after")).toBeTruthy();
    const confirm = screen.getByTestId("move-label-confirm") as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    expect(calls.find((c) => c.cmd === "plan_label_move")!.args).toEqual({
      versions: detail.Versions.map((v) => ({ versionId: v.VersionId, stages: v.VersionStages })),
      label: "AWSCURRENT",
      to: prev.VersionId,
    });
    const rows = within(screen.getByTestId("before-after")).getAllByRole("row");
    expect(rows[1].textContent).toContain("AWSPREVIOUS");
    expect(rows[2].className).toBe("changed");
    expect(calls.some((c) => c.cmd === "move_label")).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(calls.some((c) => c.cmd === "move_label")).toBe(true));
    expect(calls.find((c) => c.cmd === "move_label")!.args).toEqual({
      arn: detail.Secret.ARN,
      label: "AWSCURRENT",
      to: detail.Versions[1].VersionId,
      from: detail.Versions[0].VersionId,
    });
  });

  it("a failed act shows its AWS error code", async () => {
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      secret_detail: () => detail,
      schedule_deletion: () => {
        throw { code: "AccessDeniedException", message: "not allowed" };
      },
    });
    render(<App />);
    fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
    fireEvent.click(await screen.findByTestId("schedule-deletion"));
    fireEvent.click(screen.getByTestId("schedule-deletion-submit"));
    expect((await screen.findByTestId("dialog-error")).textContent).toContain("AccessDeniedException");
  });
});

describe("auto-lock", () => {
  it("locks after the idle time and says why on the unlock screen", async () => {
    let status = { ...unlocked, idleLockSeconds: 1 };
    const calls = backend({
      vault_status: () => status,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      lock: () => {
        status = { ...locked, idleLockSeconds: 1 };
        return null;
      },
    });
    render(<App />);
    await screen.findByTestId("console");
    const reason = await screen.findByTestId("lock-reason", {}, { timeout: 4000 });
    expect(reason.textContent).toContain("without input");
    expect(calls.some((c) => c.cmd === "lock")).toBe(true);
  });
});

describe("principals", () => {
  it("creates a user from the dialog and lists it", async () => {
    let made = false;
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      principals: () => [
        { kind: "operator", name: "admin", arn: "arn:aws:iam::123456789012:user/admin", createdDate: 1_700_000_000, description: null, tags: [], document: null },
        ...(made ? [{ kind: "user", name: "app1", arn: "arn:aws:iam::123456789012:user/app1", createdDate: 1_700_000_000, description: null, tags: [], document: null }] : []),
      ],
      create_principal: () => {
        made = true;
        return { message: "Created arn:aws:iam::123456789012:user/app1." };
      },
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-principals"));
    fireEvent.click(await screen.findByTestId("new-principal"));
    fireEvent.change(screen.getByTestId("new-principal-name"), { target: { value: "app1" } });
    fireEvent.click(screen.getByTestId("new-principal-submit"));
    await waitFor(() => expect(screen.getAllByTestId("principal-item").some((e) => e.textContent?.startsWith("app1"))).toBe(true));
    expect(calls.find((c) => c.cmd === "create_principal")!.args).toEqual({ kind: "user", name: "app1", document: null });
  });
});

describe("audit log", () => {
  it("shows the chain's status and when the last anchor was taken, as the log's dates read", async () => {
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      query_audit: () => ({ Events: [], NextBeforeSequence: null, TotalEvents: 0 }),
      verify_audit: () => ({
        EventsChecked: 69,
        Intact: true,
        LastAnchor: { VaultId: "v", Sequence: 68, Digest: "d", Time: "2026-12-07T09:07:30.557Z", Mac: "m" },
      }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-audit"));
    const anchor = await screen.findByTestId("last-anchor");
    const d = new Date("2026-12-07T09:07:30.557Z");
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    expect(anchor.textContent).toBe(`· last anchor #68 on ${local}`);
  });
});

describe("keyboard", () => {
  it("? opens the shortcut list and Ctrl+K the command palette", async () => {
    backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
    });
    render(<App />);
    await screen.findByTestId("console");
    fireEvent.keyDown(window, { key: "?" });
    expect(await screen.findByTestId("help")).toBeTruthy();
    fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("help")).toBeNull());
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    expect(await screen.findByTestId("palette")).toBeTruthy();
  });

  it("the palette lists the core's vault-wide acts and runs one after its confirmation", async () => {
    const calls = backend({
      vault_status: () => unlocked,
      revision: () => 1,
      query_secrets: (a) => pages(a.query as SecretQuery),
      acts: () => [
        { act: "SyncReplicas", command: "replicas-sync", title: "Retry replication now", question: "Push now?" },
        { act: "AnchorAuditTrail", command: "audit-anchor", title: "Anchor the audit trail now", question: "Take an anchor now?" },
      ],
      perform: () => ({ message: "Anchored the audit trail at event #9 (2026-12-07T20:00:00Z)." }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("open-palette"));
    fireEvent.change(await screen.findByTestId("palette-input"), { target: { value: "anchor" } });
    const item = await screen.findByText("Anchor the audit trail now");
    fireEvent.click(item);
    expect((await screen.findByTestId("act-dialog")).textContent).toContain("Take an anchor now?");
    expect(calls.some((c) => c.cmd === "perform")).toBe(false);
    fireEvent.click(screen.getByTestId("act-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "perform")?.args).toEqual({ act: "AnchorAuditTrail" }));
    expect((await screen.findByTestId("toast-ok")).textContent).toContain("Anchored the audit trail at event #9");
    await waitFor(() => expect(screen.queryByTestId("act-dialog")).toBeNull());
  });
});
