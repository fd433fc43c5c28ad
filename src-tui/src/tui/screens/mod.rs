//! One file a screen: its state, how it answers keys, and how it is drawn.

pub mod approvals;
pub mod audit;
pub mod audit_view;
pub mod deletions;
pub mod detail;
pub mod detail_policy;
pub mod detail_policy_view;
pub mod detail_replicas;
pub mod detail_rotation;
pub mod detail_rotation_view;
pub mod detail_view;
pub mod health;
pub mod principals;
pub mod principals_acts;
pub mod principals_view;
pub mod secrets;
pub mod unlock;
