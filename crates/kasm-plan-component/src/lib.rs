//! The core as a WebAssembly component (`wit/kasm-plan.wit`, world `engine`).
//!
//! Thin: each export calls the core's facade and converts between its types
//! and the WIT records. Built for `wasm32-unknown-unknown` and encoded as a
//! component by the host's build script, so it imports nothing.

use bindings::exports::kasm::plan::core as wit;
use kasm_plan_core::facade::{
    self, Desired, FilterRequest, PlanRequest, PolicyRequest, SourceInput, ValidateRequest,
};
use kasm_plan_core::filter::ImageFilter;
use kasm_plan_core::plan::{self as core_plan, PlanOptions};
use kasm_plan_core::policy::{Level, PolicyResult};
use kasm_plan_core::policy_set::{PolicyFile, PolicyFormat};
use kasm_plan_core::{Action, Diagnostic, Format, Image, Reason, Severity, State, StateResource};
use serde_json::{Map, Value};

/// The generated bindings and export glue: the only unsafe code in this crate.
mod bindings {
    #![allow(unsafe_code)]
    wit_bindgen::generate!({ world: "engine", path: "../../wit" });
    use super::Engine;
    export!(Engine);
}

struct Engine;

impl wit::Guest for Engine {
    fn validate(src: wit::Source, strict: bool) -> wit::Validation {
        let v = facade::validate(&ValidateRequest {
            input: source(src).into(),
            strict,
        });
        wit::Validation {
            valid: v.valid,
            errors: count(v.errors),
            warnings: count(v.warnings),
            diagnostics: diagnostics(v.diagnostics),
        }
    }

    fn parse(src: wit::Source) -> wit::Parsed {
        let p = facade::parse(&source(src));
        wit::Parsed {
            specs: p
                .specs
                .into_iter()
                .map(|(name, spec)| wit::NamedSpec {
                    name,
                    spec_json: json_text(&spec),
                })
                .collect(),
            diagnostics: diagnostics(p.diagnostics),
        }
    }

    fn filter_images(
        images: Vec<wit::Image>,
        filter: wit::ImageFilter,
    ) -> Result<Vec<wit::Image>, wit::Diagnostic> {
        let images = images
            .into_iter()
            .map(image_in)
            .collect::<Result<Vec<_>, _>>()
            .map_err(diagnostic)?;
        let answer = facade::filter(&FilterRequest {
            images,
            filter: ImageFilter {
                name: filter.name,
                enabled: filter.enabled,
            },
        });
        match answer.diagnostics.into_iter().next() {
            Some(d) => Err(diagnostic(d)),
            None => Ok(answer.images.iter().map(image_out).collect()),
        }
    }

    fn plan(
        desired: Vec<wit::Source>,
        state: wit::State,
        observed: Vec<wit::Image>,
        options: wit::PlanOptions,
    ) -> wit::Planned {
        let request = (|| {
            Ok::<_, Diagnostic>(PlanRequest {
                desired: Desired::Sources {
                    sources: desired.into_iter().map(source).collect(),
                },
                state: state_in(state)?,
                observed: observed
                    .into_iter()
                    .map(image_in)
                    .collect::<Result<_, _>>()?,
                strict: options.strict,
                options: PlanOptions {
                    unchanged_values: options.unchanged_values,
                },
                from_state: false,
                refresh_only: false,
            })
        })();
        let request = match request {
            Ok(r) => r,
            Err(d) => {
                return wit::Planned {
                    ok: false,
                    plan: None,
                    diagnostics: vec![diagnostic(d)],
                };
            }
        };
        let answer = facade::plan(&request);
        wit::Planned {
            ok: answer.ok,
            plan: answer.plan.map(plan_out),
            diagnostics: diagnostics(answer.diagnostics),
        }
    }

    fn plan_to_json(plan: wit::ChangePlan) -> String {
        match plan_in(plan) {
            Ok(p) => facade::plan_to_json(&p).to_string(),
            Err(d) => serde_json::json!({ "diagnostics": [d] }).to_string(),
        }
    }

    fn check_policy(
        policies: Vec<wit::PolicyFile>,
        subject: wit::PolicySubject,
    ) -> wit::PolicyAnswer {
        let request = (|| {
            Ok::<_, Diagnostic>(PolicyRequest {
                policy: None,
                policies: policies.into_iter().map(policy_file).collect(),
                desired: Desired::Sources {
                    sources: subject.desired.into_iter().map(source).collect(),
                },
                state: subject.state.map(state_in).transpose()?,
                observed: subject
                    .observed
                    .map(|list| list.into_iter().map(image_in).collect())
                    .transpose()?,
                overrides: subject.overrides,
                plan: subject.plan.map(plan_in).transpose()?,
                max_steps: subject.max_steps,
            })
        })();
        let answer = match request {
            Ok(r) => facade::policy_check(&r),
            Err(d) => {
                return wit::PolicyAnswer {
                    ok: false,
                    report: None,
                    diagnostics: vec![diagnostic(d)],
                };
            }
        };
        wit::PolicyAnswer {
            ok: answer.ok,
            report: answer.report.map(|r| wit::PolicyReport {
                results: r.results.into_iter().map(policy_result).collect(),
                blocking: r.blocking,
                overridden: r.overridden,
            }),
            diagnostics: diagnostics(answer.diagnostics),
        }
    }

    fn call(operation: String, request_json: String) -> String {
        facade::call(&operation, &request_json)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Input the WIT types allow but the core cannot read (e.g. malformed JSON text).
fn bad(what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        kasm_plan_core::Code::InvalidRequest,
        format!("invalid {what}: {e}"),
    )
}

fn source(s: wit::Source) -> SourceInput {
    let format = s.format.map(|f| match f {
        wit::Format::Json => Format::Json,
        wit::Format::Hcl => Format::Hcl,
    });
    SourceInput {
        source: s.text,
        format,
        file_name: s.file_name,
    }
}

fn policy_file(f: wit::PolicyFile) -> PolicyFile {
    PolicyFile {
        source: f.text,
        format: f.format.map(|f| match f {
            wit::PolicyFormat::Json => PolicyFormat::Json,
            wit::PolicyFormat::Hcl => PolicyFormat::Hcl,
            wit::PolicyFormat::Rego => PolicyFormat::Rego,
        }),
        file_name: f.file_name,
    }
}

fn policy_result(r: PolicyResult) -> wit::PolicyResult {
    wit::PolicyResult {
        rule: r.rule,
        level: match r.level {
            Level::Advisory => wit::PolicyLevel::Advisory,
            Level::SoftMandatory => wit::PolicyLevel::SoftMandatory,
            Level::HardMandatory => wit::PolicyLevel::HardMandatory,
        },
        passed: r.passed,
        address: r.address,
        path: r.path,
        message: r.message,
        overridden: r.overridden,
        file: r.file,
        query: r.query,
    }
}

fn diagnostics(list: Vec<Diagnostic>) -> Vec<wit::Diagnostic> {
    list.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> wit::Diagnostic {
    let position = |p: kasm_plan_core::Position| wit::Position {
        line: p.line,
        column: p.column,
    };
    wit::Diagnostic {
        severity: match d.severity {
            Severity::Error => wit::Severity::Error,
            Severity::Warning => wit::Severity::Warning,
        },
        code: serde_json::to_value(d.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        address: d.address,
        path: d.path,
        message: d.message,
        help: d.help,
        file: d.file,
        location: d.location.map(|l| wit::Location {
            start: position(l.start),
            end: position(l.end),
        }),
    }
}

/// The typed keys of a WIT image; everything else rides in `rest_json`.
const TYPED_KEYS: &[&str] = &[
    "image_id",
    "name",
    "friendly_name",
    "description",
    "image_src",
    "enabled",
    "available",
    "cores",
    "memory",
    "cpu_allocation_method",
    "image_type",
];

fn image_in(i: wit::Image) -> Result<Image, Diagnostic> {
    let mut map: Map<String, Value> = match serde_json::from_str(&i.rest_json) {
        Ok(Value::Object(m)) => m,
        Ok(_) if i.rest_json.trim().is_empty() => Map::new(),
        Ok(other) => {
            return Err(bad(
                "image rest_json",
                format!("expected an object, got {other}"),
            ));
        }
        Err(e) => return Err(bad("image rest_json", e)),
    };
    let typed = [
        ("image_id", Value::from(i.image_id)),
        ("name", i.name.into()),
        ("friendly_name", i.friendly_name.into()),
        ("description", i.description.into()),
        ("image_src", i.image_src.into()),
        ("enabled", i.enabled.into()),
        ("available", i.available.into()),
        ("cores", i.cores.into()),
        ("memory", i.memory.into()),
        ("cpu_allocation_method", i.cpu_allocation_method.into()),
        ("image_type", i.image_type.into()),
    ];
    map.extend(typed.into_iter().map(|(k, v)| (k.to_owned(), v)));
    serde_json::from_value(Value::Object(map)).map_err(|e| bad("image", e))
}

fn image_out(i: &Image) -> wit::Image {
    let mut rest = match serde_json::to_value(i) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    rest.retain(|k, _| !TYPED_KEYS.contains(&k.as_str()));
    wit::Image {
        image_id: i.image_id.clone(),
        name: i.name.clone(),
        friendly_name: i.friendly_name.clone(),
        description: i.description.clone(),
        image_src: i.image_src.clone(),
        enabled: i.enabled,
        available: i.available,
        cores: i.cores,
        memory: i.memory,
        cpu_allocation_method: i.cpu_allocation_method.clone(),
        image_type: i.image_type.clone(),
        rest_json: Value::Object(rest).to_string(),
    }
}

fn state_in(s: wit::State) -> Result<State, Diagnostic> {
    let mut resources = std::collections::BTreeMap::new();
    for r in s.resources {
        let attributes = serde_json::from_str(&r.attributes_json)
            .map_err(|e| bad(&format!("state attributes of {}", r.address), e))?;
        resources.insert(
            r.address,
            StateResource {
                image_id: r.image_id,
                attributes,
                prevent_destroy: r.prevent_destroy,
            },
        );
    }
    Ok(State {
        version: s.version,
        serial: s.serial,
        lineage: s.lineage,
        resources,
        history: Vec::new(),
    })
}

fn action_out(a: Action) -> wit::Action {
    match a {
        Action::Create => wit::Action::Create,
        Action::Update => wit::Action::Update,
        Action::Delete => wit::Action::Delete,
        Action::NoOp => wit::Action::NoOp,
    }
}

fn action_in(a: wit::Action) -> Action {
    match a {
        wit::Action::Create => Action::Create,
        wit::Action::Update => Action::Update,
        wit::Action::Delete => Action::Delete,
        wit::Action::NoOp => Action::NoOp,
    }
}

fn reason_out(r: Reason) -> wit::Reason {
    match r {
        Reason::New => wit::Reason::New,
        Reason::DeletedOutside => wit::Reason::DeletedOutside,
        Reason::ConfigChanged => wit::Reason::ConfigChanged,
        Reason::Drift => wit::Reason::Drift,
        Reason::RemovedFromConfig => wit::Reason::RemovedFromConfig,
    }
}

fn reason_in(r: wit::Reason) -> Reason {
    match r {
        wit::Reason::New => Reason::New,
        wit::Reason::DeletedOutside => Reason::DeletedOutside,
        wit::Reason::ConfigChanged => Reason::ConfigChanged,
        wit::Reason::Drift => Reason::Drift,
        wit::Reason::RemovedFromConfig => Reason::RemovedFromConfig,
    }
}

fn changes_out(list: Vec<core_plan::FieldChange>) -> Vec<wit::FieldChange> {
    list.into_iter()
        .map(|c| wit::FieldChange {
            field: c.field.spec_name().to_owned(),
            before_json: c.before.to_string(),
            after_json: c.after.to_string(),
        })
        .collect()
}

fn changes_in(list: Vec<wit::FieldChange>) -> Result<Vec<core_plan::FieldChange>, Diagnostic> {
    list.into_iter()
        .map(|c| {
            let field = kasm_plan_core::Field::from_spec_name(&c.field)
                .ok_or_else(|| bad("field", &c.field))?;
            let before = serde_json::from_str(&c.before_json).map_err(|e| bad("before_json", e))?;
            let after = serde_json::from_str(&c.after_json).map_err(|e| bad("after_json", e))?;
            Ok(core_plan::FieldChange {
                field,
                before,
                after,
            })
        })
        .collect()
}

fn attrs_in(text: &str) -> Result<kasm_plan_core::attributes::Attributes, Diagnostic> {
    serde_json::from_str(text).map_err(|e| bad("attributes", e))
}

fn plan_out(p: core_plan::Plan) -> wit::ChangePlan {
    let summary = wit::Summary {
        add: count(p.summary.add),
        change: count(p.summary.change),
        destroy: count(p.summary.destroy),
        unchanged: count(p.summary.unchanged),
    };
    wit::ChangePlan {
        format_version: p.format_version,
        state_lineage: p.state_lineage,
        state_serial: p.state_serial,
        resource_changes: p
            .resource_changes
            .into_iter()
            .map(|c| wit::ResourceChange {
                address: c.address,
                name: c.name,
                action: action_out(c.action),
                reason: c.reason.map(reason_out),
                image_id: c.image_id,
                available: c.available,
                before_json: c.before.as_ref().map(json_text),
                after_json: c.after.as_ref().map(json_text),
                changes: changes_out(c.changes),
            })
            .collect(),
        resource_drift: p
            .resource_drift
            .into_iter()
            .map(|d| wit::Drift {
                address: d.address,
                image_id: d.image_id,
                deleted: d.deleted,
                changes: changes_out(d.changes),
                before_json: json_text(&d.before),
                after_json: d.after.as_ref().map(json_text),
            })
            .collect(),
        summary,
    }
}

fn plan_in(p: wit::ChangePlan) -> Result<core_plan::Plan, Diagnostic> {
    let mut changes = Vec::with_capacity(p.resource_changes.len());
    for c in p.resource_changes {
        changes.push(core_plan::ResourceChange {
            address: c.address,
            name: c.name,
            action: action_in(c.action),
            reason: c.reason.map(reason_in),
            image_id: c.image_id,
            available: c.available,
            before: c.before_json.as_deref().map(attrs_in).transpose()?,
            after: c.after_json.as_deref().map(attrs_in).transpose()?,
            changes: changes_in(c.changes)?,
        });
    }
    let mut drift = Vec::with_capacity(p.resource_drift.len());
    for d in p.resource_drift {
        drift.push(core_plan::Drift {
            address: d.address,
            image_id: d.image_id,
            deleted: d.deleted,
            changes: changes_in(d.changes)?,
            before: attrs_in(&d.before_json)?,
            after: d.after_json.as_deref().map(attrs_in).transpose()?,
        });
    }
    let s = p.summary;
    Ok(core_plan::Plan {
        format_version: p.format_version,
        state_lineage: p.state_lineage,
        state_serial: p.state_serial,
        resource_changes: changes,
        resource_drift: drift,
        summary: core_plan::Summary {
            add: s.add as usize,
            change: s.change as usize,
            destroy: s.destroy as usize,
            unchanged: s.unchanged as usize,
        },
    })
}
