//! `plan_to_json`: a plan as Terraform's plan JSON.

use crate::plan::Plan;
use serde_json::Value;

/// `plan_to_json`: Terraform-shaped plan JSON.
pub fn plan_to_json(plan: &Plan) -> Value {
    crate::plan_json::to_terraform_json(plan)
}
