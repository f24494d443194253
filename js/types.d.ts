// The data the functions take and return: the core's types as JSON.

/** 1-based line and column (columns count characters). */
export interface Position { line: number; column: number }
/** The stretch of source a diagnostic points at. */
export interface Location { start: Position; end: Position }

/** One problem found in an input. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Stable code, e.g. `memory_out_of_range`. */
  code: string;
  /** The resource address, e.g. `kasm_image.terminal`. */
  address?: string;
  /** The field path, e.g. `kasm_image.terminal.memory`. */
  path?: string;
  message: string;
  /** How to fix it. */
  help?: string;
  location?: Location;
  /** The source's file name, when one was given. */
  file?: string;
}

export type Format = 'hcl' | 'json';

export interface SourceOptions {
  /** Guessed from `fileName` or the text when absent. */
  format?: Format;
  fileName?: string;
  /** Treat warnings as errors. */
  strict?: boolean;
}

export interface ValidateResult {
  valid: boolean;
  errors: number;
  warnings: number;
  /** Every problem, ordered by position. */
  diagnostics: Diagnostic[];
}

export type ImageType = 'Container' | 'Server' | 'Server Pool' | 'Link';

export interface VolumeMount {
  bind: string;
  mode: 'rw' | 'ro';
  uid: number;
  gid: number;
  required?: boolean;
  timeout?: number;
}

/** A desired image: the arguments of Terraform's `kasm_image` (memory in MB). */
export interface ImageSpec {
  name: string;
  image_src: string;
  friendly_name: string;
  description?: string;
  docker_registry?: string;
  docker_user?: string;
  /** Sensitive: parse results show `(sensitive value)`. */
  docker_token?: string;
  /** MB (1 MB = 1,000,000 bytes). */
  memory?: number;
  cores?: number;
  enabled?: boolean;
  uncompressed_size_mb?: number;
  image_type?: ImageType;
  run_config?: Record<string, unknown>;
  exec_config?: Record<string, unknown>;
  volume_mapping?: Record<string, VolumeMount>;
  restrict_to_network?: boolean;
  network_name?: string;
  restrict_to_server?: boolean;
  server_id?: string;
  restrict_to_zone?: boolean;
  zone_id?: string;
  lifecycle?: { ignore_changes?: string[] | 'all'; prevent_destroy?: boolean; create_before_destroy?: boolean };
}

export interface ParseResult {
  /** Specs by resource name. */
  specs: Record<string, ImageSpec>;
  diagnostics: Diagnostic[];
}

/** An image as Kasm's `get_images` returns it (memory in bytes); other keys pass through. */
export interface Image {
  image_id: string;
  name?: string | null;
  friendly_name?: string | null;
  description?: string | null;
  image_src?: string | null;
  enabled?: boolean;
  available?: boolean;
  cores?: number;
  /** Bytes. */
  memory?: number;
  cpu_allocation_method?: string;
  image_type?: string;
  [key: string]: unknown;
}

/** The `kasm_images` data source's arguments. */
export interface ImageFilter {
  /** Exact name, or a glob with `*`, `?`, `[...]`. */
  name?: string;
  enabled?: boolean;
}

export type Action = 'create' | 'update' | 'delete' | 'no-op';
export type Reason = 'new' | 'deleted_outside' | 'config_changed' | 'drift' | 'removed_from_config';

/** A field's values, in spec units (memory in MB). */
export type Attributes = Record<string, unknown>;

export interface FieldChange { field: string; before: unknown; after: unknown }

export interface ResourceChange {
  address: string;
  name: string;
  action: Action;
  reason?: Reason;
  image_id?: string;
  available?: boolean;
  before?: Attributes;
  after?: Attributes;
  changes: FieldChange[];
}

export interface Drift {
  address: string;
  image_id: string;
  /** The image is gone from Kasm. */
  deleted: boolean;
  changes: FieldChange[];
  before: Attributes;
  after?: Attributes;
}

export interface Summary { add: number; change: number; destroy: number; unchanged: number }

export interface Plan {
  format_version: number;
  state_lineage: string;
  state_serial: number;
  resource_changes: ResourceChange[];
  resource_drift: Drift[];
  summary: Summary;
}

export interface StateResource { image_id: string; attributes: Attributes; prevent_destroy?: boolean }

export interface State {
  version: number;
  serial?: number;
  lineage?: string;
  resources?: Record<string, StateResource>;
}

/** Spec files planned as one configuration. */
export interface SourceFile { source: string; format?: Format; fileName?: string }

/** What `plan` accepts as the desired images. */
export type Desired = string | SourceFile[] | { images: Record<string, ImageSpec> };

export interface PlanOptions extends SourceOptions {
  /** Include the values of unchanged images (for plan JSON and policies). */
  unchangedValues?: boolean;
}

export interface PlanResult {
  /** A plan was made and nothing blocks it. */
  ok: boolean;
  plan?: Plan;
  diagnostics: Diagnostic[];
}

/** Terraform's plan JSON (`format_version` "1.2"), as Conftest and similar tools read it. */
export interface TerraformPlanJson {
  format_version: string;
  resource_changes: Array<{
    address: string;
    type: 'kasm_image';
    name: string;
    change: { actions: string[]; before: Attributes | null; after: Attributes | null; [key: string]: unknown };
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

export type PolicyLevel = 'advisory' | 'soft-mandatory' | 'hard-mandatory';

/** One file of a policy set. */
export interface PolicyFile {
  /** Built-in rules (JSON or HCL, whose `policy` blocks set Rego levels) or a Rego module. */
  source: string;
  /** Its language; guessed from `fileName` or the text. */
  format?: PolicyFormat;
  /** Shown in results and errors. */
  fileName?: string;
}

export type PolicyFormat = 'json' | 'hcl' | 'rego';

export interface PolicyOptions {
  /** A lone policy text's language; guessed from `fileName` or the text. */
  format?: PolicyFormat;
  /** A lone policy text's file name. */
  fileName?: string;
  /** Soft-mandatory rules that may fail without blocking. */
  overrides?: string[];
  /** A plan to check the rules on actions against. */
  plan?: Plan;
  /** Or: plan against these, then check. */
  state?: State;
  observed?: Image[];
  /** Stop Rego after this many interpreter steps, all queries together (default 4,000,000). */
  maxSteps?: number;
}

/** One rule's outcome at one address (or once, when it held). */
export interface PolicyRuleResult {
  rule: string;
  level: PolicyLevel;
  passed: boolean;
  address?: string;
  path?: string;
  message: string;
  overridden?: boolean;
  /** The file defining the rule (for Rego, its `.rego` file or files). */
  file?: string;
  /** For Rego, the query, e.g. `data.main.deny`. */
  query?: string;
}

export interface PolicyResult {
  /** Valid inputs and nothing blocking. */
  ok: boolean;
  report?: { results: PolicyRuleResult[]; blocking: boolean; overridden: string[] };
  diagnostics: Diagnostic[];
}
