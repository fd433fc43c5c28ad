// Typed calls of the desktop app's commands. Every failure is an IpcError {code, message}.
import { invoke } from "@tauri-apps/api/core";
import type {
  Act,
  ActInfo,
  ApprovalsOutput,
  AuditPage,
  AuditQuery,
  CopyReceipt,
  CreateSecretInput,
  DiffRow,
  Done,
  EffectiveAccess,
  FunctionView,
  PrefixRun,
  HealthReport,
  IpcError,
  LabelMove,
  NewAccessKey,
  PolicyView,
  PrincipalPolicies,
  PrincipalKind,
  PrincipalRow,
  RekeyView,
  RevealedValue,
  ReplicasView,
  RotationView,
  RotationRules,
  SecretView,
  SecretPage,
  SecretQuery,
  ValidationReport,
  VerifyReport,
  VersionLabels,
  Running,
  VaultStatus,
} from "./bindings";

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Any thrown thing as an IpcError (a bug in the page becomes an InternalError). */
export function asIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  return { code: "InternalError", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const api = {
  vaultStatus: () => call<VaultStatus>("vault_status"),
  unlock: (operator: string | null, passphrase: string) =>
    call<VaultStatus>("unlock", { operator, passphrase }),
  attachSession: () => call<VaultStatus>("attach_session"),
  lock: () => call<null>("lock"),
  revision: () => call<number | null>("revision"),
  running: () => call<Running[]>("running"),
  querySecrets: (query: SecretQuery) => call<SecretPage>("query_secrets", { query }),
  secretGroups: (query: SecretQuery) => call<PrefixRun[]>("secret_groups", { query }),
  secretDetail: (arn: string) => call<SecretView>("secret_detail", { arn }),
  revealValue: (arn: string, versionId: string) =>
    call<RevealedValue>("reveal_value", { arn, versionId }),
  copyValue: (arn: string, versionId: string, key: string | null) =>
    call<CopyReceipt>("copy_value", { arn, versionId, key }),
  diffVersions: (arn: string, old: string, next: string) =>
    call<DiffRow[]>("diff_versions", { arn, old, new: next }),
  createSecret: (input: CreateSecretInput) => call<Done>("create_secret", { input }),
  putValue: (arn: string, value: string) => call<Done>("put_value", { arn, value }),
  putGeneratedValue: (arn: string) => call<Done>("put_generated_value", { arn }),
  updateDescription: (arn: string, description: string) =>
    call<Done>("update_description", { arn, description }),
  updateType: (arn: string, secretType: string) => call<Done>("update_type", { arn, secretType }),
  moveLabel: (arn: string, label: string, to: string, from: string | null) =>
    call<Done>("move_label", { arn, label, to, from }),
  planLabelMove: (versions: VersionLabels[], label: string, to: string) =>
    call<LabelMove>("plan_label_move", { versions, label, to }),
  scheduleDeletion: (arn: string, days: number) => call<Done>("schedule_deletion", { arn, days }),
  deleteNow: (arn: string, typedName: string) => call<Done>("delete_now", { arn, typedName }),
  restoreSecret: (arn: string) => call<Done>("restore_secret", { arn }),
  tagSecret: (arn: string, key: string, value: string) =>
    call<Done>("tag_secret", { arn, key, value }),
  untagSecret: (arn: string, key: string) => call<Done>("untag_secret", { arn, key }),
  getPolicy: (arn: string) => call<PolicyView>("get_policy", { arn }),
  validatePolicy: (arn: string, policy: string) =>
    call<ValidationReport>("validate_policy", { arn, policy }),
  putPolicy: (arn: string, policy: string, blockPublic: boolean) =>
    call<Done>("put_policy", { arn, policy, blockPublic }),
  deletePolicy: (arn: string) => call<Done>("delete_policy", { arn }),
  effectiveAccess: (arn: string) => call<EffectiveAccess>("effective_access", { arn }),
  queryAudit: (query: AuditQuery) => call<AuditPage>("query_audit", { query }),
  verifyAudit: () => call<VerifyReport>("verify_audit"),
  principals: () => call<PrincipalRow[]>("principals"),
  principalDetail: (kind: PrincipalKind, name: string) =>
    call<PrincipalPolicies>("principal_detail", { kind, name }),
  createPrincipal: (kind: PrincipalKind, name: string, document: string | null) =>
    call<Done>("create_principal", { kind, name, document }),
  deletePrincipal: (kind: PrincipalKind, name: string) => call<Done>("delete_principal", { kind, name }),
  attachPolicy: (kind: PrincipalKind, name: string, policyArn: string, attach: boolean) =>
    call<Done>("attach_policy", { kind, name, policyArn, attach }),
  createAccessKey: (kind: PrincipalKind, name: string) => call<NewAccessKey>("create_access_key", { kind, name }),
  updateAccessKey: (id: string, active: boolean | null) => call<Done>("update_access_key", { id, active }),
  addOperator: (name: string, passphrase: string) => call<Done>("add_operator", { name, passphrase }),
  removeOperator: (name: string) => call<Done>("remove_operator", { name }),
  changePassphrase: (old: string, next: string) => call<Done>("change_passphrase", { old, new: next }),
  rekeyProgress: () => call<RekeyView | null>("rekey_progress"),
  inlinePolicy: (kind: PrincipalKind, name: string, policyName: string) =>
    call<string>("inline_policy", { kind, name, policyName }),
  putInlinePolicy: (kind: PrincipalKind, name: string, policyName: string, document: string) =>
    call<Done>("put_inline_policy", { kind, name, policyName, document }),
  deleteInlinePolicy: (kind: PrincipalKind, name: string, policyName: string) =>
    call<Done>("delete_inline_policy", { kind, name, policyName }),
  rotationStatus: (arn: string) => call<RotationView>("rotation_status", { arn }),
  previewSchedule: (rules: RotationRules) => call<number[]>("preview_schedule", { rules }),
  rotationFunctions: () => call<FunctionView[]>("rotation_functions"),
  rotateNow: (arn: string, functionArn: string | null) => call<Done>("rotate_now", { arn, functionArn }),
  putRotationSchedule: (arn: string, functionArn: string | null, rules: RotationRules, rotateNow: boolean) =>
    call<Done>("put_rotation_schedule", { arn, functionArn, rules, rotateNow }),
  cancelRotation: (arn: string) => call<Done>("cancel_rotation", { arn }),
  replicas: (arn: string) => call<ReplicasView>("replicas", { arn }),
  replicateSecret: (arn: string, region: string, kmsKeyId: string | null) =>
    call<Done>("replicate_secret", { arn, region, kmsKeyId }),
  removeReplica: (arn: string, region: string) => call<Done>("remove_replica", { arn, region }),
  promoteReplica: (arn: string, region: string | null) => call<Done>("promote_replica", { arn, region }),
  acts: () => call<ActInfo[]>("acts"),
  perform: (act: Act) => call<Done>("perform", { act }),
  associateCrossAccountReplica: (arn: string, replicaArn: string) =>
    call<Done>("associate_cross_account_replica", { arn, replicaArn }),
  disassociateCrossAccountReplica: (arn: string, replicaArn: string) =>
    call<Done>("disassociate_cross_account_replica", { arn, replicaArn }),
  retryRotation: (arn: string) => call<Done>("retry_rotation", { arn }),
  putRotationApproval: (arn: string, requireApproval: boolean | null, twoPersonRule: boolean | null) =>
    call<Done>("put_rotation_approval", { arn, requireApproval, twoPersonRule }),
  approvals: () => call<ApprovalsOutput>("approvals"),
  approveRotation: (arn: string, reason: string | null) => call<Done>("approve_rotation", { arn, reason }),
  rejectRotation: (arn: string, reason: string) => call<Done>("reject_rotation", { arn, reason }),
  healthReport: () => call<HealthReport>("health_report"),
  applyLeastPrivilege: (principalArn: string, proposed: string) =>
    call<Done>("apply_least_privilege", { principalArn, proposed }),
};
