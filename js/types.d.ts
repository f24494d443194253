// The data the functions take and return. What the core answers is declared in
// `generated.d.ts`, generated from the core's Rust types; this file adds the
// functions' own argument types and the error they throw.

import type * as core from './generated.js';

export type {
  Action, AttributeChange, Attributes, Change, Code, Diagnostic, Field, Format, ImageSpec,
  JsonValue, Location, Plan, PolicyFormat, PolicyReport, Position, Reason, Severity, Summary,
} from './generated.js';

/** `validate`'s answer. */
export type ValidateResult = core.ValidateResponse;
/** `parse`'s answer: specs by name, and parse and type errors. */
export type ParseResult = core.ParseResponse;
/** `plan`'s answer. */
export type PlanResult = core.PlanResponse;
/** `checkPolicy`'s answer. */
export type PolicyResult = core.PolicyResponse;
/** One rule's outcome at one address (or once, when it held). */
export type PolicyRuleResult = core.PolicyResult;
/** How a failed rule counts. */
export type PolicyLevel = core.Level;

/**
 * An image as Kasm's `get_images` returns it (memory in bytes). As an argument any key
 * may be missing (Kasm's default stands) and other keys pass through; answers carry all.
 */
export type Image = Partial<core.Image> & { [key: string]: unknown };

/** An image as format 1 of the state recorded it, by address. */
export interface StateResource {
  image_id: string;
  /** Spec units; a secret as its fingerprint. */
  attributes: core.Attributes;
  prevent_destroy?: boolean;
}

/** What was applied before; missing parts are empty. */
export type State = Partial<Omit<core.State, 'resources'>> & { resources?: Record<string, StateResource> };

/** The `kasm_images` data source's arguments. */
export interface ImageFilter {
  /** Exact name, or a glob with `*`, `?`, `[...]`. */
  name?: string;
  enabled?: boolean;
}

/** Values for a configuration's variables, lowest precedence first: `tfvars`, `vars`, `variables`. */
export interface VariableOptions {
  /** Variables files (`.tfvars` HCL, `.tfvars.json`), in order. */
  tfvars?: { source: string; fileName?: string }[];
  /** As `-var name=value`: a string is taken as it is, anything else as its JSON. */
  vars?: Record<string, unknown>;
  /** Inputs as the core takes them (environment, file, argument), after the others. */
  variables?: core.VariableInput[];
}

export interface SourceOptions extends VariableOptions {
  /** Guessed from `fileName` or the text when absent. */
  format?: core.Format;
  fileName?: string;
  /** Treat warnings as errors. */
  strict?: boolean;
}

/** Spec files planned as one configuration. */
export interface SourceFile { source: string; format?: core.Format; fileName?: string }

/** What `plan` and `checkPolicy` accept as the desired images. */
export type Desired = string | SourceFile[] | { images: Record<string, Partial<core.ImageSpec>> };

export interface PlanOptions extends SourceOptions {
  /** Include the values of unchanged images (for plan JSON and policies). */
  unchangedValues?: boolean;
  /** Kasm's groups and their link rows: needed when the configuration or the state has groups or links. */
  access?: core.Access;
  /** Plan only these resources or instances and what they depend on (Terraform's `-target`). */
  targets?: string[];
  /** Replace these instances although nothing forces it (Terraform's `-replace`). */
  replace?: string[];
  /** Plan to delete everything the state manages (Terraform's `-destroy`). */
  destroy?: boolean;
}

/** Terraform's plan JSON (`format_version` "1.2"), as Conftest and similar tools read it. */
export interface TerraformPlanJson {
  format_version: string;
  resource_changes: Array<{
    address: string;
    type: 'kasm_image' | 'kasm_group' | 'kasm_group_image';
    name: string;
    change: { actions: string[]; before: core.Attributes | Record<string, unknown> | null; after: core.Attributes | Record<string, unknown> | null; [key: string]: unknown };
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** One file of a policy set. */
export interface PolicyFile {
  /** Built-in rules (JSON or HCL, whose `policy` blocks set Rego levels) or a Rego module. */
  source: string;
  /** Its language; guessed from `fileName` or the text. */
  format?: core.PolicyFormat;
  /** Shown in results and errors. */
  fileName?: string;
}

export interface PolicyOptions {
  /** A lone policy text's language; guessed from `fileName` or the text. */
  format?: core.PolicyFormat;
  /** A lone policy text's file name. */
  fileName?: string;
  /** Soft-mandatory rules that may fail without blocking. */
  overrides?: string[];
  /** A plan to check the rules on actions against. */
  plan?: core.Plan;
  /** Or: plan against these, then check. */
  state?: State;
  observed?: Image[];
  /** Kasm's groups and links: the plan the rules read has the configuration's groups and links. */
  access?: core.Access;
  /** Variable values for the desired configuration. */
  configuration?: VariableOptions;
  /** Read Rego as `v0` (before OPA 1.0) or `v1`; unset: v1, then v0 when v1 cannot parse it. */
  regoVersion?: core.RegoVersion;
  /** Documents under `data.` for Rego (an object), as Conftest's `--data`. */
  data?: Record<string, unknown>;
  /** Stop Rego after this many interpreter steps, all queries together (default 4,000,000). */
  maxSteps?: number;
}

/**
 * What the functions throw for a request the core cannot read (and `filterImages` for
 * a bad pattern): an `Error` carrying the core's diagnostic.
 */
export interface KasmPlanError extends Error {
  name: 'KasmPlanError';
  /** The diagnostic's stable code, e.g. `invalid_request`. */
  code: core.Code;
  path?: string;
  help?: string;
  /** The diagnostic itself. */
  diagnostics: core.Diagnostic[];
}
