import type { SecretDetail, SecretSummary, VaultStatus } from "../bindings";

export const locked: VaultStatus = {
  path: "/home/op/.local/share/coffer/vault.db",
  exists: true,
  accountId: "123456789012",
  region: "us-east-1",
  operators: ["admin"],
  session: null,
  throughSession: false,
  notice: null,
  idleLockSeconds: 300,
  clipboardClearSeconds: 30,
};

export const unlocked: VaultStatus = {
  ...locked,
  session: { operator: "admin", principalArn: "arn:aws:iam::123456789012:user/admin", accountId: "123456789012", region: "us-east-1" },
};

export function row(i: number): SecretSummary {
  return {
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:app/s${i}-AbCdEf`,
    Name: `app/s${i}`,
    Description: `secret ${i}`,
    CreatedDate: 1_700_000_000,
    LastChangedDate: 1_700_000_000,
    LastAccessedDate: null,
    DeletedDate: null,
    DeletionDate: null,
    Tags: [{ Key: "env", Value: "prod" }],
    VersionCount: 2,
    KmsKeyId: null,
    NextRotationDate: null,
  };
}

export const detail: SecretDetail = {
  arn: row(1).ARN,
  name: "app/s1",
  secretType: null,
  description: "secret 1",
  kmsKeyId: null,
  createdDate: 1_700_000_000,
  lastChangedDate: 1_700_000_100,
  lastAccessedDate: null,
  deletedDate: null,
  deletionDate: null,
  primaryRegion: "us-east-1",
  rotationEnabled: false,
  lastRotatedDate: null,
  nextRotationDate: null,
  tags: [],
  versions: [
    { versionId: "v2-0000000000000000000000000000000", stages: ["AWSCURRENT"], createdDate: 1_700_000_100, lastAccessedDate: null, hasValue: true },
    { versionId: "v1-0000000000000000000000000000000", stages: ["AWSPREVIOUS"], createdDate: 1_700_000_000, lastAccessedDate: null, hasValue: true },
  ],
};
