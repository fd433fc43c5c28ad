import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { App } from "../App";
import type { ApprovalsOutput, AttemptView, RotationRules, RotationView, SecretQuery } from "../bindings";
import { rulesOf } from "../screens/Rotation";
import { detail, unlocked } from "./fixtures";
import { backend, pages } from "./backend";

const FN = "arn:aws:lambda:us-east-1:123456789012:function:pw";

function attempt(over: Partial<AttemptView> = {}): AttemptView {
  return {
    Id: "a1",
    SecretName: detail.Secret.Name,
    SecretARN: detail.Secret.ARN,
    Token: "v3-0000000000000000000000000000000",
    RotationLambdaARN: FN,
    Trigger: "RotateSecret",
    RequestedBy: "arn:aws:iam::123456789012:user/admin",
    RequestedMs: 1_700_000_200_000,
    RequireApproval: false,
    TwoPersonRule: false,
    Status: "Succeeded",
    StatusText: "succeeded",
    Tries: 1,
    Steps: (["createSecret", "setSecret", "testSecret", "finishSecret"] as const).map((step, i) => ({
      Step: step,
      TryNumber: 1,
      StartedMs: 1_700_000_200_000 + i * 1000,
      DurationMs: 12,
      Outcome: "Succeeded" as const,
      Log: step === "setSecret" ? ["ALTER ROLE app PASSWORD '***'"] : [],
    })),
    FinishedMs: 1_700_000_204_000,
    Unfinished: false,
    MayDecide: true,
    ...over,
  };
}

const status: RotationView = {
  RotationEnabled: true,
  RotationLambdaARN: FN,
  RotationRules: { ScheduleExpression: "rate(10 days)", Duration: "3h" },
  LastRotatedDate: 1_700_000_204,
  NextWindows: [1_800_000_000, 1_800_864_000],
  Approval: { RequireApproval: false, TwoPersonRule: false },
  Attempts: [attempt()],
};

function common(extra: Record<string, (a: Record<string, unknown>) => unknown>) {
  return backend({
    vault_status: () => unlocked,
    revision: () => 1,
    query_secrets: (a) => pages(a.query as SecretQuery),
    secret_detail: () => ({ ...detail, Secret: { ...detail.Secret, RotationEnabled: true } }),
    approvals: (): ApprovalsOutput => ({ pending: [], background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] } }),
    ...extra,
  });
}

async function openRotationTab() {
  render(<App />);
  fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
  fireEvent.click(await screen.findByTestId("tab-rotation"));
  return screen.findByTestId("rotation");
}

describe("rotation tab", () => {
  it("shows the schedule, the next windows in UTC and each attempt step by step", async () => {
    common({ rotation_status: () => status });
    await openRotationTab();
    expect(screen.getByTestId("rotation-state").textContent).toBe("Rotation on");
    expect(screen.getByTestId("rotation-rules").textContent).toBe("rate(10 days) · window 3h");
    expect(screen.getByTestId("next-windows").textContent).toContain("2027-01-15 08:00 UTC");
    const rows = screen.getAllByTestId("attempt-row");
    expect(rows[0].dataset.status).toBe("succeeded");
    const steps = screen.getAllByTestId("attempt-step").map((s) => s.textContent);
    expect(steps).toHaveLength(4);
    expect(steps[1]).toContain("setSecret");
    expect(steps[1]).toContain("12 ms");
  });

  it("rotate now asks the core with the secret's own function", async () => {
    const calls = common({ rotation_status: () => status, rotate_now: () => ({ message: "Rotation requested." }) });
    await openRotationTab();
    fireEvent.click(screen.getByTestId("rotate-now"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "rotate_now")?.args).toEqual({ arn: detail.Secret.ARN, functionArn: null }));
  });

  it("an unfinished attempt disables rotate now and a failed one offers a retry", async () => {
    const failed = attempt({ Status: "Failed", StatusText: "failed", Unfinished: true, Error: "testSecret: login refused", NextStep: "setSecret" });
    const calls = common({
      rotation_status: () => ({ ...status, Attempts: [failed] }),
      retry_rotation: () => ({ message: "Tried again." }),
    });
    await openRotationTab();
    expect((screen.getByTestId("rotate-now") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("rotation-failed").textContent).toContain("login refused");
    fireEvent.click(screen.getByTestId("retry-rotation"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "retry_rotation")).toBe(true));
  });

  it("the schedule dialog checks the rules as typed and saves only valid ones", async () => {
    const calls = common({
      rotation_status: () => status,
      rotation_functions: () => [{ Name: "pw", ARN: FN, Kind: "password", Description: null }],
      preview_schedule: (a) => {
        const r = a.rules as RotationRules;
        if (r.ScheduleExpression === "rate(2 hours)")
          throw { code: "InvalidParameterException", message: "A rate in hours must be 4–23 hours." };
        return [1_800_000_000, 1_800_043_200];
      },
      put_rotation_schedule: () => ({ message: "Saved the rotation schedule." }),
    });
    await openRotationTab();
    fireEvent.click(screen.getByTestId("edit-schedule"));
    const dialog = await screen.findByTestId("schedule-dialog");
    fireEvent.click(within(dialog).getByTestId("schedule-mode-rate"));
    fireEvent.change(within(dialog).getByTestId("schedule-rate-unit"), { target: { value: "hours" } });
    fireEvent.change(within(dialog).getByTestId("schedule-rate-n"), { target: { value: "2" } });
    expect((await within(dialog).findByTestId("schedule-error")).textContent).toContain("InvalidParameterException");
    expect((within(dialog).getByTestId("schedule-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(dialog).getByTestId("schedule-rate-n"), { target: { value: "12" } });
    expect((await within(dialog).findByTestId("schedule-windows")).textContent).toContain("UTC");
    fireEvent.change(within(dialog).getByTestId("schedule-duration"), { target: { value: "" } });
    await waitFor(() => expect((within(dialog).getByTestId("schedule-save") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(within(dialog).getByTestId("schedule-save"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "put_rotation_schedule")).toBe(true));
    expect(calls.find((c) => c.cmd === "put_rotation_schedule")!.args).toEqual({
      arn: detail.Secret.ARN,
      functionArn: FN,
      rules: { ScheduleExpression: "rate(12 hours)" },
      rotateNow: false,
    });
  });

  it("the approval toggles send one setting at a time", async () => {
    const calls = common({ rotation_status: () => status, put_rotation_approval: () => ({ message: "Rotations need approval." }) });
    await openRotationTab();
    expect((screen.getByTestId("two-person-rule") as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId("require-approval"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "put_rotation_approval")?.args).toEqual({ arn: detail.Secret.ARN, requireApproval: true, twoPersonRule: null }),
    );
  });
});

describe("rules", () => {
  it("a bare number of days is AutomaticallyAfterDays and an empty window is no Duration", () => {
    expect(rulesOf("days", " 30 ", "", "", "", " ")).toEqual({ AutomaticallyAfterDays: 30 });
    expect(rulesOf("rate", "", "7", "days", "", "2h")).toEqual({ ScheduleExpression: "rate(7 days)", Duration: "2h" });
    expect(rulesOf("cron", "", "", "", " cron(0 4 ? * SUN *) ", "")).toMatchObject({ ScheduleExpression: "cron(0 4 ? * SUN *)" });
  });
});

describe("approvals", () => {
  const waiting = (over: Partial<AttemptView>) =>
    attempt({ Status: "AwaitingApproval", StatusText: "awaiting-approval", Unfinished: true, RequireApproval: true, Steps: [], FinishedMs: undefined, NextStep: "createSecret", ...over });

  it("the badge counts waiting rotations; approving sends the reason", async () => {
    let pending = [waiting({})];
    const calls = common({
      approvals: () => ({ pending, background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] } }),
      approve_rotation: () => {
        pending = [];
        return { message: "Approved the rotation of app/s1; it starts now." };
      },
    });
    render(<App />);
    expect((await screen.findByTestId("approvals-badge")).textContent).toBe("1");
    fireEvent.click(screen.getByTestId("nav-approvals"));
    const row = await screen.findByTestId("approval-row");
    expect(row.textContent).toContain("app/s1");
    // The core's background runner, each job in the line the terminal console shows too.
    expect(screen.getByTestId("background-Rotations").textContent).toBe("rotations: last 22:13:20 (0 ran) · next 22:13:30");
    fireEvent.click(within(row).getByTestId("approve"));
    fireEvent.change(await screen.findByTestId("decide-reason"), { target: { value: "change window" } });
    fireEvent.click(screen.getByTestId("decide-submit"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "approve_rotation")?.args).toEqual({ arn: detail.Secret.ARN, reason: "change window" }));
    expect(await screen.findByTestId("approvals-empty")).toBeTruthy();
  });

  it("a rejection needs a reason", async () => {
    const calls = common({
      approvals: () => ({ pending: [waiting({})], background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] } }),
      reject_rotation: () => ({ message: "Rejected." }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-approvals"));
    fireEvent.click(within(await screen.findByTestId("approval-row")).getByTestId("reject"));
    const submit = (await screen.findByTestId("decide-submit")) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fireEvent.change(screen.getByTestId("decide-reason"), { target: { value: "not during the sale" } });
    fireEvent.click(submit);
    await waitFor(() => expect(calls.find((c) => c.cmd === "reject_rotation")?.args).toEqual({ arn: detail.Secret.ARN, reason: "not during the sale" }));
  });

  it("under the two-person rule the requester cannot decide their own rotation", async () => {
    common({
      approvals: () => ({
        pending: [waiting({ TwoPersonRule: true, RequestedBy: unlocked.session!.principalArn, MayDecide: false })],
        background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] },
      }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-approvals"));
    const row = await screen.findByTestId("approval-row");
    expect((within(row).getByTestId("approve") as HTMLButtonElement).disabled).toBe(true);
    expect((within(row).getByTestId("reject") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("principals", () => {
  const admin = { kind: "operator", name: "admin", arn: "arn:aws:iam::123456789012:user/admin", createdDate: 1_700_000_000, description: null, tags: [], document: null };

  it("an inline policy opens with its stored document and saves the edit", async () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:ListSecrets","Resource":"*"}]}';
    const calls = common({
      principals: () => [admin],
      principal_detail: () => ({ Inline: ["list"], Attached: [], AccessKeys: [] }),
      inline_policy: () => doc,
      put_inline_policy: () => ({ message: "Saved the inline policy list of admin." }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-principals"));
    fireEvent.click(await screen.findByTestId("principal-item"));
    fireEvent.click(await screen.findByTestId("edit-inline-policy"));
    const editor = (await screen.findByTestId("inline-policy-document")) as HTMLTextAreaElement;
    await waitFor(() => expect(editor.value).toContain("secretsmanager:ListSecrets"));
    fireEvent.change(editor, { target: { value: "{ not json" } });
    expect((screen.getByTestId("inline-policy-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(editor, { target: { value: doc } });
    fireEvent.click(screen.getByTestId("inline-policy-save"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "put_inline_policy")?.args).toEqual({ kind: "operator", name: "admin", policyName: "list", document: doc }),
    );
  });

  it("changing one's own passphrase shows the re-key's progress until it is done", async () => {
    let finish: (v: unknown) => void = () => undefined;
    const calls = common({
      principals: () => [admin],
      principal_detail: () => ({ Inline: [], Attached: [], AccessKeys: [] }),
      change_passphrase: () => new Promise((resolve) => (finish = resolve)),
      rekey_progress: () => ({ phase: "Secrets", done: 420, total: 1000, percent: 42, line: "Re-keying secrets: 42% (420 of 1000)" }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-principals"));
    fireEvent.click(await screen.findByTestId("principal-item"));
    fireEvent.click(await screen.findByTestId("change-passphrase"));
    fireEvent.change(screen.getByTestId("old-passphrase"), { target: { value: "old passphrase" } });
    fireEvent.change(screen.getByTestId("new-passphrase"), { target: { value: "new passphrase" } });
    fireEvent.change(screen.getByTestId("new-passphrase-again"), { target: { value: "new passphrasE" } });
    expect((screen.getByTestId("change-passphrase-submit") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId("new-passphrase-again"), { target: { value: "new passphrase" } });
    fireEvent.click(screen.getByTestId("change-passphrase-submit"));
    const line = await screen.findByTestId("rekey-line", {}, { timeout: 2000 });
    await waitFor(() => expect(line.textContent).toBe("Re-keying secrets: 42% (420 of 1000)"));
    expect(calls.find((c) => c.cmd === "change_passphrase")!.args).toEqual({ old: "old passphrase", new: "new passphrase" });
    finish({ message: "Changed your passphrase; the vault was re-keyed." });
    await waitFor(() => expect(screen.queryByTestId("rekey-progress")).toBeNull());
    expect(await screen.findByText("Changed your passphrase; the vault was re-keyed.")).toBeTruthy();
  });

  it("adding an operator needs the passphrase twice; the signed-in operator cannot remove themselves", async () => {
    const calls = common({
      principals: () => [admin],
      principal_detail: () => ({ Inline: [], Attached: [], AccessKeys: [] }),
      add_operator: () => ({ message: "Added the operator bob." }),
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-principals"));
    fireEvent.click(await screen.findByTestId("principal-item"));
    expect(((await screen.findByTestId("remove-operator")) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId("new-principal"));
    fireEvent.change(screen.getByTestId("new-principal-kind"), { target: { value: "operator" } });
    fireEvent.change(screen.getByTestId("new-principal-name"), { target: { value: "bob" } });
    fireEvent.change(screen.getByTestId("new-operator-passphrase"), { target: { value: "bob's long passphrase" } });
    fireEvent.change(screen.getByTestId("new-operator-passphrase-again"), { target: { value: "bob's long passphrasE" } });
    expect((screen.getByTestId("new-principal-submit") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId("new-operator-passphrase-again"), { target: { value: "bob's long passphrase" } });
    fireEvent.click(screen.getByTestId("new-principal-submit"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "add_operator")?.args).toEqual({ name: "bob", passphrase: "bob's long passphrase" }));
  });
});
