import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App } from "../App";
import type { ApprovalsOutput, ReplicasView, SecretQuery } from "../bindings";
import { replicaStatusClass } from "../screens/Replicas";
import { detail, unlocked } from "./fixtures";
import { backend, pages } from "./backend";

const regions: ReplicasView["regions"] = [
  { region: "eu-west-1", vaultPath: "/media/backup/replica.db", reachable: true, replaced: false, secrets: 1, inSync: 0, inProgress: 0, failed: 1, queuedRemovals: 0 },
  { region: "ap-south-1", vaultPath: "/mnt/second/replica.db", reachable: false, replaced: false, secrets: 0, inSync: 0, inProgress: 0, failed: 0, queuedRemovals: 0 },
];

const primary: ReplicasView = {
  homeRegion: "us-east-1",
  primaryRegion: "us-east-1",
  isReplica: false,
  replicas: [
    {
      region: "eu-west-1",
      kmsKeyId: "alias/aws/secretsmanager",
      status: "Failed",
      statusMessage: "The replica vault for eu-west-1 can't be reached. The change is queued and retried when the replica can be reached.",
      lastAccessedDate: null,
    },
  ],
  regions,
  crossAccountPrimary: null,
  crossAccountReplicas: [],
  accounts: [],
};

function common(view: ReplicasView, extra: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return backend({
    vault_status: () => unlocked,
    revision: () => 1,
    query_secrets: (a) => pages(a.query as SecretQuery),
    secret_detail: () => ({ ...detail, primaryRegion: view.primaryRegion }),
    approvals: (): ApprovalsOutput => ({ pending: [], background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] } }),
    replicas: () => view,
    ...extra,
  });
}

async function openReplicasTab() {
  render(<App />);
  fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
  fireEvent.click(await screen.findByTestId("tab-replicas"));
  return screen.findByTestId("replicas");
}

describe("replicas tab", () => {
  it("shows each replica's status with its message and the regions' files", async () => {
    common(primary);
    await openReplicasTab();
    const row = screen.getByTestId("replica-eu-west-1");
    expect(row.textContent).toContain("Failed");
    expect(row.textContent).toContain("queued and retried");
    expect(screen.getByTestId("replica-regions").textContent).toContain("unreachable");
    expect(replicaStatusClass("InSync")).toBe("ok");
    expect(replicaStatusClass("InProgress")).toBe("warn");
  });

  it("names a region whose file is not the vault registered as replaced", async () => {
    const replaced = { ...regions[0], replaced: true };
    common({ ...primary, regions: [replaced] });
    await openReplicasTab();
    expect(screen.getByTestId("region-replaced").textContent).toBe("replaced");
    expect(screen.getByTestId("replica-regions").textContent).not.toContain("reachable");
  });

  it("replicates to a free region with a KMS key there, and retries", async () => {
    const calls = common(primary, {
      replicate_secret: () => ({ message: "Replicating to ap-south-1: InProgress." }),
      perform: () => ({ message: "Replication retried." }),
    });
    await openReplicasTab();
    const select = screen.getByTestId("replica-region") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["ap-south-1"]);
    fireEvent.change(screen.getByTestId("replica-kms"), { target: { value: "alias/backup" } });
    fireEvent.click(screen.getByTestId("replicate"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "replicate_secret")?.args).toEqual({ arn: detail.arn, region: "ap-south-1", kmsKeyId: "alias/backup" }),
    );
    fireEvent.click(screen.getByTestId("sync-replicas"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "perform")?.args).toEqual({ act: "SyncReplicas" }));
  });

  it("removing and promoting a replica ask first", async () => {
    const calls = common(primary, {
      remove_replica: () => ({ message: "Removed." }),
      promote_replica: () => ({ message: "Promoted." }),
    });
    await openReplicasTab();
    fireEvent.click(screen.getByTestId("remove-replica"));
    expect(calls.some((c) => c.cmd === "remove_replica")).toBe(false);
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "remove_replica")?.args).toEqual({ arn: detail.arn, region: "eu-west-1" }));
    fireEvent.click(screen.getByTestId("promote-replica"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.arn, region: "eu-west-1" }));
  });

  it("Escape closes a dialog and leaves the secret's page where it was", async () => {
    common(primary);
    await openReplicasTab();
    fireEvent.click(screen.getByTestId("remove-replica"));
    await screen.findByTestId("replica-dialog");
    fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("replica-dialog")).toBeNull());
    expect(screen.getByTestId("replicas")).toBeTruthy();
    expect(screen.getByTestId("secret-detail")).toBeTruthy();
  });

  it("a replica shows its primary region and promotes itself", async () => {
    const calls = common(
      { homeRegion: "eu-west-1", primaryRegion: "us-east-1", isReplica: true, replicas: [], regions: [], crossAccountPrimary: null, crossAccountReplicas: [], accounts: [] },
      { promote_replica: () => ({ message: "Promoted." }) },
    );
    await openReplicasTab();
    expect(screen.getByTestId("replica-of").textContent).toContain("us-east-1");
    fireEvent.click(screen.getByTestId("promote-here"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.arn, region: null }));
  });

  it("associates a cross-account replica by its ARN and shows it with its status", async () => {
    const replicaArn = "arn:aws:secretsmanager:us-east-1:444455556666:secret:mirror-AbCdEf";
    const calls = common(
      {
        ...primary,
        crossAccountReplicas: [{ arn: replicaArn, status: "InSync", statusMessage: null }],
        accounts: [{ accountId: "444455556666", vaultPath: "/mnt/partner.db", reachable: true, replaced: false, inSync: 1, detached: 0 }],
      },
      {
        associate_cross_account_replica: () => ({ message: "Cross-account replica: InSync." }),
        disassociate_cross_account_replica: () => ({ message: "Disassociated." }),
      },
    );
    await openReplicasTab();
    const table = screen.getByTestId("cross-account-table");
    expect(table.textContent).toContain(replicaArn);
    expect(screen.getByTestId("cross-account-state").textContent).toBe("InSync");
    expect(screen.getByTestId("replica-accounts").textContent).toContain("444455556666 (reachable)");
    fireEvent.change(screen.getByTestId("replica-arn"), { target: { value: ` ${replicaArn} ` } });
    fireEvent.click(screen.getByTestId("associate"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "associate_cross_account_replica")?.args).toEqual({ arn: detail.arn, replicaArn }),
    );
    fireEvent.click(screen.getByTestId("disassociate"));
    expect(calls.some((c) => c.cmd === "disassociate_cross_account_replica")).toBe(false);
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "disassociate_cross_account_replica")?.args).toEqual({ arn: detail.arn, replicaArn }),
    );
  });

  it("a cross-account replica shows its primary and status and is made standalone", async () => {
    const primaryArn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
    const calls = common(
      { ...primary, replicas: [], crossAccountPrimary: { arn: primaryArn, status: "Detached", statusMessage: null } },
      { promote_replica: () => ({ message: "Promoted." }) },
    );
    await openReplicasTab();
    expect(screen.getByTestId("cross-account-primary").textContent).toContain(primaryArn);
    expect(screen.getByTestId("cross-account-status").textContent).toBe("Detached");
    expect(screen.queryByTestId("associate-form")).toBeNull();
    fireEvent.click(screen.getByTestId("promote-here"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.arn, region: null }));
  });
});
