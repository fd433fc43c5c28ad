//! The replica commands: a secret's Replicas tab (where it is replicated and how each
//! replica stands, the vault's replica regions), replicate, remove, promote and retry.

use coffer_core::api::{
    AssociateCrossAccountReplicaRequest, DisassociateCrossAccountReplicaRequest,
    RemoveRegionsFromReplicationRequest, ReplicaRegionType, ReplicateSecretToRegionsRequest,
    SecretIdRequest,
};

use crate::commands::{Desktop, done};
use crate::dto::*;
use coffer_core::said;

impl Desktop {
    /// A secret's replicas and the vault's replica regions (views, not reads of a value).
    pub fn replicas(&self, arn: &str) -> IpcResult<ReplicasView> {
        let (v, c) = self.open()?;
        Ok(v.replicas_view(&c, arn)?)
    }

    /// ReplicateSecretToRegions to one region (with a KMS key there, when given).
    pub fn replicate_secret(
        &self,
        arn: &str,
        region: &str,
        kms_key_id: Option<String>,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.replicate_secret_to_regions(
            &c,
            ReplicateSecretToRegionsRequest {
                secret_id: arn.to_string(),
                add_replica_regions: vec![ReplicaRegionType {
                    region: Some(region.to_string()),
                    kms_key_id: kms_key_id.filter(|k| !k.is_empty()),
                }],
                force_overwrite_replica_secret: false,
            },
        )?;
        // The answer carries the status after the push that followed the request.
        let status = r.replication_status.iter().find(|s| s.region == region);
        Ok(done(said::replicating(
            region,
            status.map(|s| s.status.as_str()),
        )))
    }

    /// RemoveRegionsFromReplication: the replica there is deleted.
    pub fn remove_replica(&self, arn: &str, region: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        v.remove_regions_from_replication(
            &c,
            RemoveRegionsFromReplicationRequest {
                secret_id: arn.to_string(),
                remove_replica_regions: vec![region.to_string()],
            },
        )?;
        Ok(done(said::removed_replica(region)))
    }

    /// Promotes the replica in `region` (from this, the primary's side), or — with no
    /// region — this replica here (StopReplicationToReplica).
    pub fn promote_replica(&self, arn: &str, region: Option<String>) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        match region {
            Some(region) => {
                v.promote_replica(&c, arn, &region)?;
                Ok(done(said::promoted_replica(Some(&region))))
            }
            None => {
                v.stop_replication_to_replica(
                    &c,
                    SecretIdRequest {
                        secret_id: arn.to_string(),
                    },
                )?;
                Ok(done(said::promoted_replica(None)))
            }
        }
    }

    /// AssociateCrossAccountReplica: `arn`'s replica in another account.
    pub fn associate_cross_account_replica(&self, arn: &str, replica_arn: &str) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.associate_cross_account_replica(
            &c,
            AssociateCrossAccountReplicaRequest {
                secret_id: arn.to_string(),
                cross_account_replica_arn: replica_arn.trim().to_string(),
                ..Default::default()
            },
        )?;
        Ok(done(said::associated_cross_account(
            &r.cross_account_replica_arn,
            &r.replication_status,
        )))
    }

    /// DisassociateCrossAccountReplica: the replica stays in its account, Detached.
    pub fn disassociate_cross_account_replica(
        &self,
        arn: &str,
        replica_arn: &str,
    ) -> IpcResult<Done> {
        let (v, c) = self.open()?;
        let r = v.disassociate_cross_account_replica(
            &c,
            DisassociateCrossAccountReplicaRequest {
                secret_id: arn.to_string(),
                cross_account_replica_arn: replica_arn.to_string(),
            },
        )?;
        Ok(done(said::disassociated_cross_account(
            &r.cross_account_replica_arn,
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::tests::{arn_of, unlocked};

    #[test]
    fn a_secret_replicates_to_a_registered_region_and_comes_off_again() {
        let (dir, d) = unlocked();
        let (v, c) = d.open().unwrap();
        v.add_replica_region(
            &c,
            "eu-west-1",
            &dir.path().join("replica.db"),
            None,
            coffer_core::Passphrase::new("replica pass".into()),
            Some((19456, 2)),
        )
        .unwrap();
        let arn = arn_of(&d, "prod/api");
        let view = d.replicas(&arn).unwrap();
        assert!(view.replication_status.is_empty());
        assert_eq!(view.regions[0].region, "eu-west-1");
        assert!(view.regions[0].reachable);
        assert!(
            !view.regions[0].replaced,
            "the registered replica is not replaced"
        );
        let msg = d.replicate_secret(&arn, "eu-west-1", None).unwrap().message;
        assert_eq!(msg, "Replicating to eu-west-1: InSync.");
        let view = d.replicas(&arn).unwrap();
        assert_eq!(view.replication_status[0].status, "InSync");
        assert_eq!(view.regions[0].in_sync, 1);
        d.remove_replica(&arn, "eu-west-1").unwrap();
        assert!(d.replicas(&arn).unwrap().replication_status.is_empty());
        let e = d.replicate_secret(&arn, "ap-south-9", None).unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn a_cross_account_replica_is_associated_shown_with_its_status_and_disassociated() {
        use coffer_core::Passphrase;
        use coffer_core::api::{CreateKeyRequest, CreateSecretRequest};
        let (dir, d) = unlocked();
        let (v, c) = d.open().unwrap();
        let path = dir.path().join("partner.db");
        v.add_replica_account(
            &c,
            "444455556666",
            &path,
            None,
            Passphrase::new("partner pass".into()),
            Some((19456, 2)),
        )
        .unwrap();
        let arn = arn_of(&d, "prod/api");
        let partner =
            coffer_core::Vault::open(&path, None, &Passphrase::new("partner pass".into())).unwrap();
        let pc = partner.caller(coffer_core::FrontEnd::Cli);
        let key = partner
            .create_key(&pc, CreateKeyRequest::default())
            .unwrap()
            .key_metadata
            .key_id;
        let replica = partner
            .create_secret(
                &pc,
                CreateSecretRequest {
                    name: "mirror".into(),
                    kms_key_id: Some(key),
                    cross_account_primary_arn: Some(arn.clone()),
                    ..Default::default()
                },
            )
            .unwrap()
            .arn;
        let msg = d
            .associate_cross_account_replica(&arn, &replica)
            .unwrap()
            .message;
        assert_eq!(msg, format!("Cross-account replica {replica}: InSync."));
        let view = d.replicas(&arn).unwrap();
        assert_eq!(view.cross_account_replicas[0].replica_secret_arn, replica);
        assert_eq!(view.cross_account_replicas[0].replication_status, "InSync");
        assert_eq!(view.accounts[0].account_id.as_deref(), Some("444455556666"));
        assert_eq!(view.accounts[0].in_sync, 1);
        d.disassociate_cross_account_replica(&arn, &replica)
            .unwrap();
        assert!(d.replicas(&arn).unwrap().cross_account_replicas.is_empty());
    }
}
