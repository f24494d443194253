import type {
  Desired, Image, ImageFilter, ParseResult, Plan, PlanOptions, PlanResult, PolicyFile, PolicyOptions, PolicyResult,
  SourceFile, SourceOptions, State, TerraformPlanJson, ValidateResult,
} from './types.js';
import type { Diagnostic, FormatResponse, Image as ListedImage, LaunchResponse, Schema } from './generated.js';

export * from './types.js';

/**
 * Parses, evaluates, types and checks a spec source, or several files read as one
 * configuration with variable values: every problem at once.
 */
export function validate(specs: string | SourceFile[], options?: SourceOptions): ValidateResult;
/** Parses and types a spec source: specs by name, and parse and type errors. */
export function parse(source: string, options?: Omit<SourceOptions, 'strict'>): ParseResult;
/** The `kasm_images` data source: matching images, in order. Throws on an invalid pattern. */
export function filterImages(images: Image[], filter?: ImageFilter): ListedImage[];
/** Plans the desired specs against the state and the images on Kasm. */
export function plan(desired: Desired, state?: State | null, observed?: Image[] | null, options?: PlanOptions): PlanResult;
/**
 * Who may launch what, now and once the plan is applied: every user × enabled image some
 * group of the user may launch (`options.user`, `options.image`: a name or glob).
 */
export function whoMayLaunch(desired: Desired, state?: State | null, observed?: Image[] | null, options?: PlanOptions & { user?: string; image?: string }): LaunchResponse;
/** Terraform-shaped plan JSON for a plan. */
export function planToJson(plan: Plan): TerraformPlanJson;
/** A plan as text, as `kasm-plan plan` prints it (images, groups and links; drift first). */
export function renderPlan(plan: Plan, options?: { refreshOnly?: boolean; diagnostics?: Diagnostic[] }): string;
/** An HCL file in `terraform fmt`'s layout (`formatted` absent, and a `syntax_error`, when it does not parse). */
export function format(text: string, options?: { fileName?: string }): FormatResponse;
/** Every resource type's and data source's arguments, and every diagnostic code (what editors complete from). */
export function schema(): Schema;
/** The JSON Schema (draft-07) of `.json` specs. */
export function jsonSchema(): Record<string, unknown>;
/**
 * Checks a policy on the specs and, when given, a plan: one file's text (built-in rules as
 * JSON or HCL), or a policy set of files. Rego files need the `kasm-plan/rego` entry.
 */
export function checkPolicy(policy: string | PolicyFile[], desired: Desired, options?: PolicyOptions): PolicyResult;
/**
 * The JSON-in/JSON-out facade: any operation by name (`validate`, `plan`, ...) on JSON text.
 * Throws a `KasmPlanError` for a request the core cannot read.
 */
export function call(operation: string, requestJson: string): string;
