//! Groups and image authorization: `kasm_group` and `kasm_group_image`
//! resources, planned against the state and Kasm's groups and links
//! (docs/kasm-api.md, "Groups and image authorization").
//!
//! A link names its group and image by id, or by the address of a managed
//! resource whose id may be known only after apply ([`Target`]). Kasm keeps
//! duplicate link rows and adds one to All Users on every image create, so the
//! plan counts rows and the steps read before they add.

pub mod import;
pub mod kasm_rules;
pub mod launch;
pub mod objects;
pub mod pending;
pub mod plan;
pub mod policy;
pub mod seen;
pub mod session_limit;
pub mod steps;
pub mod user_groups;

pub use crate::group::{Access, GroupRecord, GroupSpec, LinkRecord, LinkSpec, Target};
pub use plan::{
    AccessInputs, AccessPlan, AttributeChange, Change, ExtraLink, GroupPart, plan_access,
};

pub use crate::address::{GROUP_TYPE, LINK_TYPE, MEMBERSHIP_TYPE, SESSION_TYPE, USER_TYPE};
