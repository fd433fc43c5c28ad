//! The people behind a principal, for the two-person rule, which is about operators (people)
//! and not about ARNs: otherwise an operator could approve their own request by making it
//! through an application's access key, or a role's, and deciding from their console.
//!
//! An operator is a person, named here by their IAM user's ARN. A console's caller is exactly
//! the operator who unlocked the vault. Any other principal is acted as through access keys,
//! and the people who can act as it are the ones who created those keys (they were handed the
//! secret; the key records them), plus the operator whose own IAM user it is. A request
//! signed with a key could have come from any of them, so all of them count as its requester.
//! Keys made before Coffer recorded their creator name nobody: a principal with only such
//! keys, and not an operator's own user, has no known person behind it.

use super::{Caller, Ctx, REPLICATOR_PREFIX};
use crate::Result;

impl Ctx<'_, '_> {
    /// The user ARNs of the operators who can act as `caller`, sorted.
    pub(crate) fn people(&self, caller: &Caller) -> Result<Vec<String>> {
        if caller.is_operator() {
            return Ok(vec![caller.principal_arn.clone()]);
        }
        let mut people = Vec::new();
        let is_operator_user = self.tx.slot_operators()?.iter().any(|o| {
            !o.starts_with(REPLICATOR_PREFIX) && self.info.user_arn(o) == caller.principal_arn
        });
        if is_operator_user {
            people.push(caller.principal_arn.clone());
        }
        for k in self.iam.keys.values() {
            if k.principal_arn == caller.principal_arn {
                people.extend(k.created_by.iter().cloned());
            }
        }
        people.sort();
        people.dedup();
        Ok(people)
    }
}
