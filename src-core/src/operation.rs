//! Every operation the vault knows, as a type: its AWS name, whether it only reads, whether
//! it is audited, its audit category, and whether the endpoint answers it. The router, the
//! door's durability decision, the audit and the consoles' operation lists all derive from
//! this one table, so none of them can name an operation that does not exist or forget one
//! that does.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an audited operation is about: the consoles' audit screens group and filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// Secrets, their values, versions, labels and tags.
    Secrets,
    /// Resource policies and the questions asked of policies (validate, simulate, access).
    Policies,
    /// IAM users, roles, groups, managed policies and access keys.
    Identity,
    /// KMS keys and aliases.
    Keys,
    /// Rotation: schedules, functions, approvals and every step of an attempt.
    Rotation,
    /// Replication to other regions' and accounts' vaults.
    Replication,
    /// The vault itself: operators, backups, the audit trail, deletions that come due.
    Vault,
}

/// How an operation reaches the vault, which decides how it is written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A request of the Secrets Manager API: the endpoint answers it; audited.
    Api,
    /// A request only Coffer's own front ends make (IAM, KMS, operators, ...); audited.
    Request,
    /// Something the vault does on its own (a rotation step, a purge): audited, never
    /// requested by a caller.
    Service,
    /// A console's read of a view, authorized but not audited.
    View,
}

macro_rules! operations {
    ($($name:ident: $kind:ident, $category:ident, $access:ident;)*) => {
        /// One operation of the vault, named as AWS names it (or, for Coffer's own, in the
        /// same style).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($name,)*
        }

        impl Operation {
            /// Every operation, in the table's order.
            pub const ALL: &'static [Operation] = &[$(Operation::$name,)*];

            /// The operation's name, as in `X-Amz-Target` and the audit's `eventName`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Operation::$name => stringify!($name),)*
                }
            }

            const fn kind(self) -> Kind {
                match self {
                    $(Operation::$name => Kind::$kind,)*
                }
            }

            /// What the operation's audit events are about.
            pub const fn category(self) -> Category {
                match self {
                    $(Operation::$name => Category::$category,)*
                }
            }

            /// Whether the operation changes nothing in the vault but its audit event (and a
            /// secret's day-precision last-accessed date).
            pub const fn read_only(self) -> bool {
                match self {
                    $(Operation::$name => operations!(@ro $access),)*
                }
            }
        }
    };
    (@ro read) => { true };
    (@ro write) => { false };
}

operations! {
    // The Secrets Manager API, as the endpoint answers it.
    CreateSecret: Api, Secrets, write;
    GetSecretValue: Api, Secrets, read;
    BatchGetSecretValue: Api, Secrets, read;
    PutSecretValue: Api, Secrets, write;
    UpdateSecret: Api, Secrets, write;
    UpdateSecretVersionStage: Api, Secrets, write;
    DescribeSecret: Api, Secrets, read;
    ListSecrets: Api, Secrets, read;
    ListSecretVersionIds: Api, Secrets, read;
    DeleteSecret: Api, Secrets, write;
    RestoreSecret: Api, Secrets, write;
    TagResource: Api, Secrets, write;
    UntagResource: Api, Secrets, write;
    GetRandomPassword: Api, Secrets, read;
    PutResourcePolicy: Api, Policies, write;
    GetResourcePolicy: Api, Policies, read;
    DeleteResourcePolicy: Api, Policies, write;
    ListResourcePolicies: Api, Policies, read;
    ValidateResourcePolicy: Api, Policies, read;
    RotateSecret: Api, Rotation, write;
    CancelRotateSecret: Api, Rotation, write;
    ReplicateSecretToRegions: Api, Replication, write;
    RemoveRegionsFromReplication: Api, Replication, write;
    StopReplicationToReplica: Api, Replication, write;
    AssociateCrossAccountReplica: Api, Replication, write;
    DisassociateCrossAccountReplica: Api, Replication, write;

    // Policies: questions asked of them.
    SimulateCustomPolicy: Request, Policies, read;
    SimulatePrincipalPolicy: Request, Policies, read;
    GetEffectiveAccess: Request, Policies, read;

    // IAM.
    CreateUser: Request, Identity, write;
    CreateRole: Request, Identity, write;
    CreateGroup: Request, Identity, write;
    CreatePolicy: Request, Identity, write;
    GetEntity: Request, Identity, read;
    ListEntities: Request, Identity, read;
    DeleteEntity: Request, Identity, write;
    TagEntity: Request, Identity, write;
    PutUserPolicy: Request, Identity, write;
    PutRolePolicy: Request, Identity, write;
    PutGroupPolicy: Request, Identity, write;
    GetUserPolicy: Request, Identity, read;
    GetRolePolicy: Request, Identity, read;
    GetGroupPolicy: Request, Identity, read;
    DeleteInlinePolicy: Request, Identity, write;
    AttachPolicy: Request, Identity, write;
    DetachPolicy: Request, Identity, write;
    AddUserToGroup: Request, Identity, write;
    RemoveUserFromGroup: Request, Identity, write;
    ListPolicies: Request, Identity, read;
    CreateAccessKey: Request, Identity, write;
    ListAccessKeys: Request, Identity, read;
    UpdateAccessKey: Request, Identity, write;
    DeleteAccessKey: Request, Identity, write;
    ListPrincipals: View, Identity, read;

    // KMS.
    CreateKey: Request, Keys, write;
    ListKeys: Request, Keys, read;
    DescribeKey: Request, Keys, read;
    CreateAlias: Request, Keys, write;
    ListAliases: Request, Keys, read;
    PutKeyPolicy: Request, Keys, write;
    GetKeyPolicy: Request, Keys, read;

    // Rotation.
    CreateRotationFunction: Request, Rotation, write;
    ListRotationFunctions: Request, Rotation, read;
    DeleteRotationFunction: Request, Rotation, write;
    PutRotationApproval: Request, Rotation, write;
    GetRotationApproval: View, Rotation, read;
    ApproveRotation: Request, Rotation, write;
    RejectRotation: Request, Rotation, write;
    RetryRotation: Request, Rotation, write;
    RevokeRotationCredentials: Request, Rotation, write;
    ListPendingRotations: View, Rotation, read;
    RotationHistory: View, Rotation, read;
    RotateDue: Request, Rotation, write;
    RotationScheduled: Service, Rotation, write;
    RotationStarted: Service, Rotation, write;
    RotationResumed: Service, Rotation, write;
    RotationStepStarted: Service, Rotation, write;
    RotationStep: Service, Rotation, write;
    RotationSucceeded: Service, Rotation, write;
    RotationFailed: Service, Rotation, write;

    // Replication.
    AddReplicaRegion: Request, Replication, write;
    AcceptReplication: Request, Replication, write;
    RemoveReplicaRegion: Request, Replication, write;
    AddReplicaAccount: Request, Replication, write;
    RemoveReplicaAccount: Request, Replication, write;
    ListReplicaAccounts: View, Replication, read;
    PromoteReplica: Request, Replication, write;
    ListReplicaRegions: View, Replication, read;
    SyncReplicas: Request, Replication, write;
    SyncReplicaSecret: Service, Replication, write;
    DeleteReplicaSecret: Service, Replication, write;
    ReplicaDeleted: Service, Replication, write;
    ReplicationSucceeded: Service, Replication, write;
    ReplicaPromoted: Service, Replication, write;
    ReplicationFailed: Service, Replication, write;
    AcceptCrossAccountReplication: Service, Replication, write;
    DetachCrossAccountReplica: Service, Replication, write;

    // The vault itself.
    InitializeVault: Request, Vault, write;
    Unlock: View, Vault, read;
    AddOperator: Request, Vault, write;
    ChangeOperatorPassphrase: Request, Vault, write;
    RemoveOperator: Request, Vault, write;
    ListOperators: Request, Vault, read;
    BackupVault: Request, Vault, read;
    RestoreVault: Request, Vault, write;
    ImportSecrets: Request, Secrets, write;
    AnchorAuditTrail: Request, Vault, write;
    VerifyAuditTrail: Request, Vault, read;
    ExportAuditTrail: Request, Vault, read;
    GenerateHealthReport: Request, Vault, read;
    ApplyLeastPrivilegePolicy: Request, Identity, write;
    LookupEvents: View, Vault, read;
    EndSecretDeletion: Service, Secrets, write;
}

impl Operation {
    /// Whether `coffer serve` answers it (`secretsmanager.<name>` in `X-Amz-Target`).
    pub const fn endpoint(self) -> bool {
        matches!(self.kind(), Kind::Api)
    }

    /// Whether running it appends an audit event. Views are authorized but not audited;
    /// composite requests (`RotateDue`, `SyncReplicas`, `ImportSecrets`) audit each operation
    /// they run under that operation's own name.
    pub const fn audited(self) -> bool {
        match self.kind() {
            Kind::View => false,
            _ => !matches!(
                self,
                Operation::RotateDue | Operation::SyncReplicas | Operation::ImportSecrets
            ),
        }
    }

    /// Whether the vault does it on its own rather than at a caller's request.
    pub const fn service_event(self) -> bool {
        matches!(self.kind(), Kind::Service)
    }

    /// Whether the commit of its transaction waits for fsync. Every write does; a read only
    /// appends its audit event, which is committed without waiting: it survives a crash of
    /// the process at once and a power loss from the next write's fsync on
    /// (docs/AUDIT.md, "Durability of audited reads"). `BackupVault` reads, but takes an audit anchor that the backup
    /// file then carries, so the anchor must be on disk before the file is written.
    pub const fn waits_for_fsync(self) -> bool {
        !self.read_only() || matches!(self, Operation::BackupVault)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no operation of the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation(pub String);

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not an operation of the vault", self.0)
    }
}

impl std::error::Error for UnknownOperation {}

impl FromStr for Operation {
    type Err = UnknownOperation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .iter()
            .copied()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOperation(s.to_string()))
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_round_trips_through_its_name() {
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>(), Ok(*op));
            assert_eq!(op.to_string(), op.as_str());
        }
        let names: std::collections::HashSet<_> =
            Operation::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(names.len(), Operation::ALL.len());
        assert!("GetSecretValues".parse::<Operation>().is_err());
    }

    #[test]
    fn reads_are_the_gets_lists_describes_validates_and_simulations() {
        for op in Operation::ALL {
            let name = op.as_str();
            let looks_read = ["Get", "List", "Describe", "Validate", "Simulate", "Lookup"]
                .iter()
                .any(|p| name.starts_with(p))
                || matches!(
                    op,
                    Operation::BatchGetSecretValue
                        | Operation::VerifyAuditTrail
                        | Operation::ExportAuditTrail
                        | Operation::BackupVault
                        | Operation::RotationHistory
                        | Operation::Unlock
                        | Operation::GenerateHealthReport
                );
            assert_eq!(op.read_only(), looks_read, "{name}");
            let durable_read = *op == Operation::BackupVault;
            assert_eq!(op.waits_for_fsync(), !looks_read || durable_read, "{name}");
        }
        assert!(Operation::GetRandomPassword.read_only());
        assert!(!Operation::PutSecretValue.read_only());
        assert!(!Operation::RotateDue.read_only());
    }

    #[test]
    fn service_events_are_audited_writes_the_endpoint_never_answers() {
        for op in Operation::ALL.iter().filter(|o| o.service_event()) {
            assert!(op.audited() && !op.read_only() && !op.endpoint(), "{op}");
        }
    }

    #[test]
    fn every_category_has_an_operation_and_the_endpoint_answers_twenty_six() {
        use Category::*;
        for c in [
            Secrets,
            Policies,
            Identity,
            Keys,
            Rotation,
            Replication,
            Vault,
        ] {
            assert!(Operation::ALL.iter().any(|o| o.category() == c), "{c:?}");
        }
        assert_eq!(Operation::ALL.iter().filter(|o| o.endpoint()).count(), 26);
    }

    #[test]
    fn an_operation_serializes_as_its_name() {
        let json = serde_json::to_string(&Operation::GetSecretValue).unwrap();
        assert_eq!(json, "\"GetSecretValue\"");
        let back: Operation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Operation::GetSecretValue);
        assert!(serde_json::from_str::<Operation>("\"Nope\"").is_err());
    }
}
