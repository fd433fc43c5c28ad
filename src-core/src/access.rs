//! Who may do what. Until identity and resource policies exist, the rule is the one a
//! fresh vault has: its operators are administrators, and any other principal is denied.

use crate::vault::Caller;
use crate::{Error, Result};

/// Decides one request; a denial carries AWS's message shape.
pub(crate) fn authorize(caller: &Caller, action: &str, resource: &str) -> Result<()> {
    if caller.is_operator() {
        return Ok(());
    }
    Err(Error::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        caller.principal_arn
    )))
}
