// Generated from the Rust types of kasm-plan's core; do not edit.
// `cargo test -p kasm-plan-core --features typescript --test typescript` checks it,
// and with KASM_PLAN_BLESS=1 rewrites it.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

/**
 * How serious a diagnostic is.
 */
export type Severity = "error" | "warning";

/**
 * Stable diagnostic codes. Tools may match on these; messages may change.
 */
export type Code = "syntax_error" | "invalid_document" | "block_skipped" | "not_static" | "unsupported_meta_argument" | "unknown_attribute" | "duplicate_attribute" | "duplicate_address" | "invalid_address" | "missing_required" | "wrong_type" | "empty_value" | "too_long" | "invalid_characters" | "memory_out_of_range" | "cores_out_of_range" | "negative_size" | "name_not_image_reference" | "image_tag_latest" | "image_untagged" | "image_src_invalid" | "image_type_invalid" | "missing_server_id" | "missing_zone_id" | "missing_network_name" | "invalid_uuid" | "restriction_unused" | "volume_mapping_invalid" | "lifecycle_invalid" | "registry_invalid" | "registry_mismatch" | "description_empty" | "prevent_destroy" | "invalid_state" | "invalid_filter" | "invalid_request" | "invalid_policy" | "unknown_override" | "image_not_found" | "duplicate_image" | "unmanaged_namesake" | "invalid_expression" | "unknown_reference" | "unknown_function" | "duplicate_declaration" | "missing_variable" | "undeclared_variable" | "invalid_variable_value" | "variable_validation" | "reference_cycle" | "invalid_repetition" | "invalid_block" | "unknown_group" | "group_exists" | "protected_group" | "interrupted_create" | "user_exists" | "password_rules" | "groups_argument" | "access_unread" | "users_unread" | "plan_mode_conflict" | "session_not_authorized" | "session_limit" | "resource_targeting" | "unmatched_address" | "sensitive_output";

/**
 * A one-based line and column (columns count characters, not bytes).
 */
export type Position = { 
/**
 * One-based line, never 0.
 */
line: number, 
/**
 * One-based column, in characters.
 */
column: number, };

/**
 * The stretch of source text a diagnostic points at.
 */
export type Location = { 
/**
 * First character.
 */
start: Position, 
/**
 * Just past the last character.
 */
end: Position, };

/**
 * One problem found in an input.
 */
export type Diagnostic = { 
/**
 * Error or warning.
 */
severity: Severity, 
/**
 * Stable code.
 */
code: Code, 
/**
 * The resource address, e.g. `kasm_image.ubuntu`, when there is one.
 */
address?: string | null, 
/**
 * The field path, e.g. `kasm_image.ubuntu.memory`, when there is one.
 */
path?: string | null, 
/**
 * What is wrong.
 */
message: string, 
/**
 * How to fix it.
 */
help?: string | null, 
/**
 * Where in the source, when parsed from text.
 */
location?: Location | null, 
/**
 * The source's file name, when it was given one.
 */
file?: string | null, 
/**
 * An edit that resolves the problem, when one is certain.
 */
fix?: Fix | null, };

/**
 * The language of a spec source.
 */
export type Format = "json" | "hcl";

/**
 * A spec source text.
 */
export type SourceInput = { 
/**
 * The text of a `.tf` or `.json` spec.
 */
source: string, 
/**
 * Its language; guessed from `file_name` or the text when absent.
 */
format?: Format | null, 
/**
 * The file name, used only to guess the format.
 */
file_name?: string | null, };

/**
 * A variable's value as text, as the environment and the command line give it.
 */
export type NamedValue = { 
/**
 * The variable's name.
 */
name: string, 
/**
 * The text: taken as it is for a primitive type, read as an expression otherwise.
 */
value: string, };

/**
 * A variables file.
 */
export type VariableFile = { 
/**
 * The file's text.
 */
source: string, 
/**
 * Its name, which also tells its language (`.tfvars.json` is JSON).
 */
file_name?: string | null, };

/**
 * A value for a variable, given from outside the configuration. Several are
 * given lowest precedence first, as Terraform orders them: the environment,
 * `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in
 * lexical order, then `-var` and `-var-file` in command-line order.
 */
export type VariableInput = { "from": "environment" } & NamedValue | { "from": "file" } & VariableFile | { "from": "argument" } & NamedValue;

/**
 * A configuration: the files of a directory, read together, and values for
 * its variables.
 */
export type Configuration = { 
/**
 * The files (`.tf`, `.tf.json`, kasm-plan's JSON), each with its name.
 */
sources: Array<SourceInput>, 
/**
 * Values for its variables, lowest precedence first (see [`VariableInput`]).
 */
variables?: Array<VariableInput>, 
/**
 * The workspace (`terraform.workspace`); `default` when absent.
 */
workspace?: string | null, };

/**
 * One source, or several validated as one configuration.
 */
export type Sources = Configuration | SourceInput;

/**
 * The desired images: source texts, or a spec document given as a value.
 */
export type Desired = SourceInput | Configuration | { 
/**
 * Specs by resource name.
 */
images: { [key in string]: JsonValue }, };

/**
 * `validate` input.
 */
export type ValidateRequest = { 
/**
 * Treat warnings as errors.
 */
strict: boolean, 
/**
 * A variable without a value is unknown, and what uses it is left
 * unchecked (as `terraform validate`, which needs no values); otherwise
 * each is a `missing_variable` error, as a plan needs every value.
 */
unset_variables_unknown: boolean, } & (Configuration | SourceInput);

/**
 * `validate` output.
 */
export type ValidateResponse = { 
/**
 * No errors.
 */
valid: boolean, 
/**
 * Number of errors.
 */
errors: number, 
/**
 * Number of warnings.
 */
warnings: number, 
/**
 * Every problem, ordered by position.
 */
diagnostics: Array<Diagnostic>, 
/**
 * The configuration's `terraform { backend ... }` block, when it has one.
 */
backend?: BackendBlock | null, 
/**
 * The `provider "kasm"` block's settings, when it has one (the key is
 * never in the JSON answer).
 */
provider?: ProviderSettings | null, 
/**
 * Every resource instance checked (images, groups, links, then any other
 * address a diagnostic names): one test case each in JUnit reports, and
 * where a policy finding about it points in SARIF.
 */
resources: Array<CheckedResource>, };

/**
 * `parse` output: specs by resource name, and parse and type errors only.
 */
export type ParseResponse = { 
/**
 * The specs that parsed without error.
 */
specs: { [key in string]: ImageSpec }, 
/**
 * Syntax, shape and type problems.
 */
diagnostics: Array<Diagnostic>, };

export type Field = "name" | "image_src" | "friendly_name" | "description" | "docker_registry" | "docker_user" | "docker_token" | "memory" | "cores" | "enabled" | "uncompressed_size_mb" | "image_type" | "run_config" | "exec_config" | "volume_mapping" | "restrict_to_network" | "network_name" | "restrict_to_server" | "server_id" | "restrict_to_zone" | "zone_id";

export type Secret = string;

export type IgnoreChanges = "all" | Array<Field>;

/**
 * Terraform's `lifecycle` block, as far as it applies to images.
 */
export type Lifecycle = { 
/**
 * Fields whose remote changes are left alone.
 */
ignore_changes: IgnoreChanges, 
/**
 * Refuse any plan that would delete this image.
 */
prevent_destroy: boolean, };

/**
 * A desired Kasm image: the arguments of Terraform's `kasm_image` resource.
 *
 * Units are the spec's: `memory` in MB. Unset optional fields are not managed:
 * the plan leaves whatever Kasm has. `enabled` defaults to true.
 */
export type ImageSpec = { 
/**
 * The Docker image Kasm pulls, e.g. `kasmweb/terminal:1.18.0`.
 */
name: string, 
/**
 * An image reference, or the thumbnail path or URL Kasm shows.
 */
image_src: string, 
/**
 * The name users see.
 */
friendly_name: string, 
/**
 * Free text.
 */
description?: string | null, 
/**
 * Registry URL or host, e.g. `https://index.docker.io/v1/`.
 */
docker_registry?: string | null, 
/**
 * Registry user name.
 */
docker_user?: string | null, 
/**
 * Registry password or token (sensitive).
 */
docker_token?: Secret | null, 
/**
 * Memory in MB (1 MB = 1,000,000 bytes).
 */
memory?: number | null, 
/**
 * CPU cores, fractional allowed.
 */
cores?: number | null, 
/**
 * Whether users can launch it.
 */
enabled: boolean, 
/**
 * Size of the unpacked image in MB.
 */
uncompressed_size_mb?: number | null, 
/**
 * `Container`, `Server`, `Server Pool` or `Link`.
 */
image_type?: string | null, 
/**
 * Docker run overrides.
 */
run_config?: { [key in string]: JsonValue } | null, 
/**
 * Docker exec hooks.
 */
exec_config?: { [key in string]: JsonValue } | null, 
/**
 * Host path → `{bind, mode, uid, gid, required?, timeout?}`.
 */
volume_mapping?: { [key in string]: JsonValue } | null, 
/**
 * Only launch on the Docker network in `network_name`.
 */
restrict_to_network?: boolean | null, 
/**
 * The Docker network for `restrict_to_network`.
 */
network_name?: string | null, 
/**
 * Only launch on the server in `server_id`.
 */
restrict_to_server?: boolean | null, 
/**
 * The server (UUID) for `restrict_to_server`.
 */
server_id?: string | null, 
/**
 * Only launch in the zone in `zone_id`.
 */
restrict_to_zone?: boolean | null, 
/**
 * The zone (UUID) for `restrict_to_zone`.
 */
zone_id?: string | null, 
/**
 * Terraform's lifecycle options.
 */
lifecycle?: Lifecycle, 
/**
 * Fields whose values come from sensitive variables: shown and planned
 * only as `(sensitive value)` or a fingerprint.
 */
sensitive?: Array<Field>, };

/**
 * An image as Kasm's `get_images` returns it (Kasm 1.15 keys; unknown keys are ignored).
 *
 * Units are the wire's: `memory` in bytes, `cores` a float.
 */
export type Image = { image_id: string, name: string | null, friendly_name: string | null, description: string | null, image_src: string | null, enabled: boolean, available: boolean, hidden: boolean, cores: number, memory: number, cpu_allocation_method: string, gpu_count: number, require_gpu: boolean, image_type: string, uncompressed_size_mb: number, docker_registry: string | null, docker_user: string | null, docker_token: string | null, hash: string | null, run_config: { [key in string]: JsonValue }, exec_config: { [key in string]: JsonValue }, volume_mappings: { [key in string]: JsonValue }, launch_config: { [key in string]: JsonValue }, categories: Array<string>, default_category: string | null, restrict_to_network: boolean, restrict_network_names: Array<string>, allow_network_selection: boolean, restrict_to_server: boolean, server_id: string | null, restrict_to_zone: boolean, zone_id: string | null, zone_name: string | null, server_pool_id: string | null, persistent_profile_path: string | null, persistent_profile_config: { [key in string]: JsonValue }, filter_policy_id: string | null, filter_policy_name: string | null, filter_policy_force_disabled: boolean, session_time_limit: number | null, notes: string | null, link_url: string | null, x_res: number, y_res: number, imageAttributes: Array<JsonValue>, 
/**
 * Only in `get_images` answers.
 */
server: JsonValue | null, 
/**
 * Only in `get_images` answers.
 */
server_pool: JsonValue | null, };

/**
 * Filter arguments; each unset argument matches everything.
 */
export type ImageFilter = { 
/**
 * Exact name, or a glob (`*`, `?`, `[...]`) such as `kasmweb/*`.
 */
name: string | null, 
/**
 * Only enabled (true) or only disabled (false) images.
 */
enabled: boolean | null, };

/**
 * `filter` input: the images and the data source's arguments.
 */
export type FilterRequest = { 
/**
 * The images (`get_images`).
 */
images: Array<Image>, 
/**
 * Exact name, or a glob (`*`, `?`, `[...]`) such as `kasmweb/*`.
 */
name: string | null, 
/**
 * Only enabled (true) or only disabled (false) images.
 */
enabled: boolean | null, };

/**
 * `filter` output.
 */
export type FilterResponse = { 
/**
 * Matching images, in input order.
 */
images: Array<Image>, 
/**
 * A bad pattern, if any.
 */
diagnostics: Array<Diagnostic>, };

/**
 * A group, as `get_groups` lists it (other keys are ignored).
 */
export type Group = { 
/**
 * 32-hex id.
 */
group_id: string, 
/**
 * Its unique name.
 */
name: string, 
/**
 * Free text.
 */
description: string | null, 
/**
 * 1 to 4095; the lowest wins where a user's groups disagree.
 */
priority: number, 
/**
 * All Users and Administrators: never deleted.
 */
is_system: boolean, };

/**
 * One link row of `get_images_group`: users of the group may launch the image.
 */
export type GroupImage = { 
/**
 * The row's id (a pair may have several rows).
 */
group_image_id: string, 
/**
 * The group.
 */
group_id: string, 
/**
 * The image.
 */
image_id: string, 
/**
 * The image's Docker name.
 */
image_name: string | null, 
/**
 * The image's friendly name.
 */
image_friendly_name: string | null, 
/**
 * The group's name.
 */
group_name: string | null, };

/**
 * One membership row of a user.
 */
export type UserGroup = { 
/**
 * The group.
 */
group_id: string, 
/**
 * The group's name.
 */
name: string, };

/**
 * A user, as `get_users` lists it (other keys are ignored; ids in either form).
 */
export type User = { 
/**
 * Kasm's id (`get_users` gives it hyphenated).
 */
user_id: string, 
/**
 * Lower case, unique.
 */
username: string, 
/**
 * Free text, at most 64 characters.
 */
first_name: string | null, 
/**
 * Free text, at most 64 characters.
 */
last_name: string | null, 
/**
 * Free text, at most 64 characters.
 */
organization: string | null, 
/**
 * Free text, at most 64 characters.
 */
phone: string | null, 
/**
 * Free text.
 */
notes: string | null, 
/**
 * Locked out (too many failed logins, or by an admin).
 */
locked: boolean, 
/**
 * Disabled by an admin.
 */
disabled: boolean, 
/**
 * One entry per membership row.
 */
groups: Array<UserGroup>, };

/**
 * A session, as `get_kasms` lists it (other keys are ignored).
 */
export type Session = { 
/**
 * Kasm's id.
 */
kasm_id: string, 
/**
 * Its user.
 */
user_id: string, 
/**
 * Its image.
 */
image_id: string, 
/**
 * `provisioning`, `starting`, `running`, `deleting`...
 */
operational_status: string, };

/**
 * Kasm's groups and every link row of them (`get_groups`, `get_images_group`),
 * and its users with their groups (`get_users`), when anything needs them.
 */
export type Access = { 
/**
 * The groups.
 */
groups: Array<Group>, 
/**
 * The link rows, duplicates included.
 */
links: Array<GroupImage>, 
/**
 * The users (not anonymous ones), each with its membership rows;
 * absent when they were not read.
 */
users: Array<User> | null, 
/**
 * The sessions (`get_kasms`), read with the users.
 */
sessions: Array<Session> | null, };

/**
 * A group or image named by a link.
 */
export type Target = { "id": string } | { "managed": string } | { "name": string };

/**
 * A `kasm_group` instance.
 */
export type GroupSpec = { 
/**
 * `kasm_group.<name>`.
 */
address: string, 
/**
 * The unique group name.
 */
name: string, 
/**
 * 1 to 4095.
 */
priority: number, 
/**
 * Managed only when set.
 */
description?: string | null, 
/**
 * Delete the group even when users are members (Kasm's `force`).
 */
force_destroy: boolean, 
/**
 * `lifecycle { ignore_changes = [...] }`: arguments set on create only.
 */
ignore_changes?: Array<string>, };

/**
 * A `kasm_group_image` instance: users of the group may launch the image.
 */
export type LinkSpec = { 
/**
 * `kasm_group_image.<name>`.
 */
address: string, 
/**
 * The group.
 */
group: Target, 
/**
 * The image.
 */
image: Target, 
/**
 * `lifecycle { ignore_changes = [...] }`: arguments set on create only.
 */
ignore_changes?: Array<string>, };

/**
 * A managed group, as last applied.
 */
export type GroupRecord = { 
/**
 * Kasm's id.
 */
group_id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Its priority.
 */
priority: number, 
/**
 * Its description.
 */
description?: string | null, 
/**
 * The spec's `force_destroy` when last applied; honoured after the spec is removed.
 */
force_destroy?: boolean, };

/**
 * A managed link: the pair it stands for.
 */
export type LinkRecord = { 
/**
 * The group.
 */
group_id: string, 
/**
 * The image.
 */
image_id: string, };

/**
 * One attribute's old and new value.
 */
export type AttributeChange = { 
/**
 * The attribute, e.g. `priority`.
 */
attribute: string, 
/**
 * Its value now (null when unset or unknown).
 */
before: JsonValue, 
/**
 * Its value after (null when unknown until apply).
 */
after: JsonValue, };

/**
 * The planned change to one instance of any type.
 */
export type Change = { 
/**
 * The instance's address (`kasm_group.devs`).
 */
address: string, 
/**
 * Its type (`kasm_group`).
 */
resource_type: string, 
/**
 * The instance name (`admins`, `chrome["dev"]`).
 */
name: string, 
/**
 * What to do.
 */
action: Action, 
/**
 * Why.
 */
reason?: Reason | null, 
/**
 * Kasm's id now: the image's, the group's, or the link's `group_id:image_id`.
 */
id?: string | null, 
/**
 * An image's: whether Kasm reports it pulled and ready.
 */
available?: boolean | null, 
/**
 * Attributes now, by name (an image's memory in MB); absent for a
 * create, and for an unchanged instance unless asked for.
 */
before?: { [key in string]: JsonValue } | null, 
/**
 * Attributes after; absent for a delete and an unchanged instance.
 */
after?: { [key in string]: JsonValue } | null, 
/**
 * Attributes of `after` known only after apply.
 */
after_unknown?: Array<string>, 
/**
 * For a link: the attributes whose value another resource's create in
 * this run makes known, with that resource's address.
 */
waits_for?: { [key in string]: string }, 
/**
 * The attributes that change.
 */
changes: Array<AttributeChange>, 
/**
 * Hidden attributes: write-only ones (a password), secrets and values
 * from sensitive variables. Their values here are salted
 * fingerprints, shown as `(sensitive value)` and never sent anywhere.
 */
sensitive?: Array<string>, 
/**
 * The address it had before a `moved` block renamed it.
 */
previous_address?: string | null, 
/**
 * The id an `import` block binds to this address.
 */
importing?: string | null, 
/**
 * For a user whose `groups` lists its groups: the groups it joins or leaves.
 */
group_parts?: Array<GroupPart>, };

/**
 * A group a user joins or leaves because its `groups` says so.
 */
export type GroupPart = { 
/**
 * The group's name, as `groups` lists it.
 */
name: string, 
/**
 * The group: its id, or the create that makes it known.
 */
group: Target, 
/**
 * Joins it (true) or leaves it.
 */
join: boolean, };

/**
 * A link on Kasm for a managed image that no `kasm_group_image` declares,
 * such as the one Kasm adds to All Users when it creates an image.
 */
export type ExtraLink = { 
/**
 * The image's address.
 */
image_address: string, 
/**
 * The image's id; absent for an image created in this run.
 */
image_id?: string | null, 
/**
 * The group.
 */
group_id: string, 
/**
 * The group's name, when Kasm listed it.
 */
group_name?: string | null, 
/**
 * The image's links are exclusive: apply removes this one. For an image
 * created in this run this is the All Users link Kasm may add.
 */
revoke: boolean, };

/**
 * Where the state is kept, as a `backend` block says: its type and its
 * settings, literal values only (as Terraform reads them, before variables).
 */
export type BackendBlock = { 
/**
 * `local`, `pg`, `http`...
 */
type: string, 
/**
 * Its settings.
 */
settings: Record<string, unknown>, };

/**
 * The arguments of the provider block kasm-plan reads (the Terraform
 * provider's): which Kasm, how to trust it, and the key. The key never
 * appears in an answer's JSON; only the host, which sends it to Kasm, gets it.
 */
export type ProviderSettings = { 
/**
 * `base_url`: the Kasm server.
 */
base_url?: string | null, 
/**
 * `insecure`: do not verify the server's certificate.
 */
insecure?: boolean | null, };

/**
 * One generated file.
 */
export type GeneratedFile = { 
/**
 * `images.tf`, `authorization.tf` or `variables.tf`.
 */
file_name: string, 
/**
 * HCL text.
 */
source: string, };

/**
 * `adopt` input.
 */
export type AdoptRequest = { 
/**
 * The images on Kasm (`get_images`).
 */
images: Array<Image>, 
/**
 * Which images to adopt; all when empty.
 */
filter: ImageFilter, 
/**
 * Kasm's groups and links: with them, the adopted images' links are adopted too.
 */
access?: Access | null, 
/**
 * The state now; images it binds are left out.
 */
state: State, };

/**
 * One address bound by `adopt`.
 */
export type Binding = { 
/**
 * The address.
 */
address: string, 
/**
 * Kasm's id (a link's is `group_id:image_id`).
 */
id: string, };

/**
 * `adopt` output.
 */
export type AdoptResponse = { 
/**
 * The files are valid and the state is ready to write.
 */
ok: boolean, 
/**
 * The configuration: `images.tf`, `authorization.tf`, `variables.tf`.
 */
files: Array<GeneratedFile>, 
/**
 * The state with the bindings, to write after the files.
 */
state?: State | null, 
/**
 * What was bound.
 */
bound: Array<Binding>, 
/**
 * A bad filter, or problems the generated files have (warnings included).
 */
diagnostics: Array<Diagnostic>, };

/**
 * `filter_groups` input: the groups (`get_groups`) and a name, exact or glob.
 */
export type GroupFilterRequest = { 
/**
 * The groups.
 */
groups: Array<Group>, 
/**
 * Keep groups with this name, or whose name matches this glob.
 */
name?: string | null, };

/**
 * `filter_groups` output.
 */
export type GroupFilterResponse = { 
/**
 * Matching groups, in input order.
 */
groups: Array<Group>, 
/**
 * A bad pattern, if any.
 */
diagnostics: Array<Diagnostic>, };

/**
 * What a plan does to one instance.
 */
export type Action = "create" | "update" | "delete" | "no-op" | "replace";

/**
 * Why an action was chosen.
 */
export type Reason = "new" | "deleted_outside" | "config_changed" | "drift" | "removed_from_config" | "replace_by_request";

export type Attributes = { [field in Field]?: JsonValue };

/**
 * Counts, as Terraform prints them.
 */
export type Summary = { 
/**
 * Creates.
 */
add: number, 
/**
 * Updates.
 */
change: number, 
/**
 * Deletes.
 */
destroy: number, 
/**
 * No-ops.
 */
unchanged: number, 
/**
 * Imports (`import` blocks), whatever else changes.
 */
import: number, };

/**
 * Unowned images equal to one address's spec.
 */
export type Duplicate = { 
/**
 * The address whose spec they equal.
 */
address: string, 
/**
 * Their ids, in Kasm's order.
 */
image_ids: Array<string>, 
/**
 * The plan deletes them (asked for with `delete_duplicates`).
 */
delete?: boolean, };

/**
 * An output's value before and after the plan.
 */
export type OutputChange = { 
/**
 * The output's name.
 */
name: string, 
/**
 * `create` (new), `update`, `delete` (no longer declared) or `no-op`.
 */
action: Action, 
/**
 * The value the state records; absent when new or sensitive.
 */
before?: unknown, 
/**
 * The value after; absent when deleted, sensitive, or not known yet.
 */
after?: unknown, 
/**
 * Known only after apply (an id a create gives).
 */
after_unknown?: boolean, 
/**
 * Declared `sensitive`: shown as `(sensitive value)`, never written out.
 */
sensitive?: boolean, 
/**
 * A sensitive output's salted fingerprint after, which tells the next
 * plan whether it changed without keeping the value.
 */
fingerprint?: string | null, };

/**
 * A plan: ordered by address, deterministic for the same inputs.
 */
export type Plan = { 
/**
 * Plan format version ([`PLAN_FORMAT`]); a plan of another is refused
 * when read.
 */
format_version: number, 
/**
 * The state's lineage and serial when planned, to refuse a stale plan.
 */
state_lineage: string, 
/**
 * See `state_lineage`.
 */
state_serial: number, 
/**
 * One entry per instance in the configuration or the state, of every
 * type: images by address, then the other types, groups first.
 */
resource_changes: Array<Change>, 
/**
 * Instances changed (`update`) or deleted (`delete`) on Kasm since the
 * last apply: the state against Kasm. Images first.
 */
resource_drift: Array<Change>, 
/**
 * Counts.
 */
summary: Summary, 
/**
 * Images no address manages that equal a desired spec.
 */
duplicates?: Array<Duplicate>, 
/**
 * Links on Kasm of managed images that no `kasm_group_image` declares.
 */
extra_links?: Array<ExtraLink>, 
/**
 * The configuration, as Terraform's plan JSON describes it (`configuration`).
 */
configuration?: JsonValue | null, 
/**
 * The variables' values, sensitive ones hidden (plan JSON's `variables`).
 */
variables?: JsonValue | null, 
/**
 * Narrowed by `-target`: applying it may leave changes for later
 * (plan JSON's `complete` is false).
 */
targeted?: boolean, 
/**
 * The outputs, by name: each one declared, and each one the state has
 * that is no longer declared.
 */
output_changes?: Array<OutputChange>, };

/**
 * Planning options.
 */
export type PlanOptions = { 
/**
 * Give no-op entries their full `before` attributes (for plan JSON and policies).
 * Off by default: most of a large plan's cost is building values for unchanged images.
 */
unchanged_values: boolean, 
/**
 * Delete the images no address manages that equal a desired spec
 * (`duplicates`); without it they are only reported.
 */
delete_duplicates: boolean, 
/**
 * Instances to replace although nothing forces it (Terraform's `-replace`).
 */
replace: Array<string>, 
/**
 * Plan only these resources or instances and what they depend on
 * (Terraform's `-target`); all when empty.
 */
targets: Array<string>, 
/**
 * Plan to delete everything the state manages, in reverse dependency
 * order (Terraform's `-destroy`); the configuration's resources and
 * outputs are set aside, its data sources still read.
 */
destroy: boolean, };

/**
 * One recorded decision.
 */
export type HistoryEntry = { 
/**
 * Seconds since the Unix epoch (set by the host: the core has no clock).
 */
at: number, 
/**
 * The state serial the run started from.
 */
serial: number, 
/**
 * What happened, e.g. `apply`.
 */
event: string, 
/**
 * Soft-mandatory policy rules that failed and were overridden.
 */
overridden_policies?: Array<string>, };

/**
 * An output's value after the last apply. A sensitive one keeps only a
 * fingerprint: no secret is written to the state.
 */
export type StateOutput = { 
/**
 * The value (JSON); absent when sensitive.
 */
value?: unknown, 
/**
 * Declared `sensitive`.
 */
sensitive?: boolean, 
/**
 * A sensitive output's salted fingerprint.
 */
fingerprint?: string | null, };

/**
 * One managed instance, of any type.
 */
export type StoredResource = { 
/**
 * `kasm_image.web`, `kasm_group_image.devs["chrome"]`.
 */
address: string, 
/**
 * The address's type, written for readers of the file.
 */
type: string, 
/**
 * Kasm's id: an image's or a group's, a link's `<group_id>:<image_id>`.
 */
id: string, 
/**
 * As last applied or imported, in spec units; secrets only as fingerprints.
 */
attributes: Record<string, unknown>, 
/**
 * The configuration's `prevent_destroy` when last applied.
 */
prevent_destroy?: boolean, 
/**
 * The resources it depends on (references and `depends_on`) when last
 * applied: a destroy keeps their order after the configuration is gone.
 */
dependencies?: Array<string>, };

/**
 * A create sent but not recorded: the record it would have written,
 * without Kasm's id. The next plan looks on Kasm for what it made.
 */
export type PendingCreate = { 
/**
 * `kasm_session.alice`.
 */
address: string, 
/**
 * The address's type.
 */
type: string, 
/**
 * The attributes it would have recorded (the ids it names included).
 */
attributes: Record<string, unknown>, };

/**
 * Everything kasm-plan remembers between runs: one record per address, of
 * any type. The file (and JSON requests) hold [`format::StateFile`]: format
 * 4, or an older one, which is upgraded.
 */
export type State = { 
/**
 * Format version, 4 ([`VERSION`]).
 */
version: number, 
/**
 * Bumped on every write; a saved plan records it to detect staleness.
 */
serial: number, 
/**
 * Identifies one state's history; set once when the state is created.
 */
lineage: string, 
/**
 * Every managed instance, of any type, by address.
 */
resources: Array<StoredResource>, 
/**
 * Decisions worth keeping, e.g. policy overrides, oldest first.
 */
history?: Array<HistoryEntry>, 
/**
 * The outputs' values after the last apply, by name.
 */
outputs?: { [key in string]: StateOutput }, 
/**
 * Creates sent by a run that stopped before recording them (format 3).
 */
pending?: Array<PendingCreate>, };

/**
 * `plan` input.
 */
export type PlanRequest = { 
/**
 * What should exist.
 */
desired: Desired, 
/**
 * What was applied before; empty when absent.
 */
state: State, 
/**
 * The images on Kasm now (`get_images`).
 */
observed: Array<Image>, 
/**
 * Kasm's groups and links now (`get_groups`, `get_images_group`); needed
 * when the configuration or the state has groups or links.
 */
access?: Access | null, 
/**
 * Treat warnings as errors.
 */
strict: boolean, 
/**
 * Plan without a refresh: ignore `observed` and assume Kasm still holds
 * what the state recorded (Terraform's `-refresh=false`).
 */
from_state: boolean, 
/**
 * Only bring the state up to date with Kasm: no creates, updates or
 * deletes (Terraform's `-refresh-only`); the plan lists drift only.
 */
refresh_only: boolean, 
/**
 * Also answer the plan as text (`rendered`), as `render_plan` would
 * write it: a host that prints the plan need not pass it back.
 */
render: boolean, 
/**
 * Give no-op entries their full `before` attributes (for plan JSON and policies).
 * Off by default: most of a large plan's cost is building values for unchanged images.
 */
unchanged_values: boolean, 
/**
 * Delete the images no address manages that equal a desired spec
 * (`duplicates`); without it they are only reported.
 */
delete_duplicates: boolean, 
/**
 * Instances to replace although nothing forces it (Terraform's `-replace`).
 */
replace: Array<string>, 
/**
 * Plan only these resources or instances and what they depend on
 * (Terraform's `-target`); all when empty.
 */
targets: Array<string>, 
/**
 * Plan to delete everything the state manages, in reverse dependency
 * order (Terraform's `-destroy`); the configuration's resources and
 * outputs are set aside, its data sources still read.
 */
destroy: boolean, };

/**
 * `plan` output.
 */
export type PlanResponse = { 
/**
 * A plan was made and nothing blocks it.
 */
ok: boolean, 
/**
 * The plan, when the specs were valid and planning succeeded.
 */
plan?: Plan | null, 
/**
 * Validation warnings, and the errors that prevented a plan.
 */
diagnostics: Array<Diagnostic>, 
/**
 * With `render`, the plan as text, when a plan was made and nothing blocks it.
 */
rendered?: string | null, };

/**
 * A create: the request body and what to record with Kasm's answer.
 */
export type CreateStep = { 
/**
 * The resource address.
 */
address: string, 
/**
 * The request's `target_image`. Holds secrets.
 */
target_image: { [key in string]: JsonValue }, 
/**
 * What to record over Kasm's answer (`record`): a registry token's
 * fingerprint, `prevent_destroy`.
 */
record: ObjectRecord, };

/**
 * An adopt: the unowned image to record for the address.
 */
export type AdoptStep = { 
/**
 * The resource address.
 */
address: string, 
/**
 * The image found on Kasm.
 */
image_id: string, 
/**
 * The record to write: Kasm's image as the plan read it, with the
 * spec's values over it, as a create's answer would be recorded.
 */
record: ObjectRecord, };

/**
 * A delete or a forget: the address and the image it was bound to.
 */
export type ReleaseStep = { 
/**
 * The resource address.
 */
address: string, 
/**
 * The image bound to it.
 */
image_id: string, };

/**
 * A rename: the record at `from` moves to `to`.
 */
export type MoveStep = { 
/**
 * The old address.
 */
from: string, 
/**
 * The new address.
 */
to: string, };

/**
 * A record to write without a request.
 */
export type ObjectRecordStep = { 
/**
 * The resource address.
 */
address: string, 
/**
 * What to write.
 */
record: ObjectRecord, };

/**
 * An instance as last applied: Kasm's id and the attributes, write-only
 * ones as fingerprints.
 */
export type ObjectRecord = { 
/**
 * Kasm's id; a membership's is `<group_id>:<user_id>`.
 */
id: string, 
/**
 * The attributes, by name.
 */
attributes: Record<string, unknown>, 
/**
 * The configuration's `prevent_destroy` when last applied: honoured
 * after its block is removed, as an image's is.
 */
prevent_destroy?: boolean, };

/**
 * What a call does to its address.
 */
export type CallKind = "create" | "update" | "delete" | "attach" | "detach" | "remove";

/**
 * A read that finds an object a lost create may have made: one lookup, or
 * a list searched for an item no other address records.
 */
export type FindStep = { 
/**
 * The endpoint (`get_user`, `get_user_kasms`).
 */
endpoint: string, 
/**
 * The request body's known values.
 */
body: Record<string, unknown>, 
/**
 * Ids to put into the body, by JSON pointer: the attribute whose
 * filled-in id goes there.
 */
fill?: { [key in string]: string }, 
/**
 * Where the answer lists candidates (a JSON pointer); absent: the
 * answer is the object.
 */
list?: string | null, 
/**
 * For a list: item key → the attribute whose value it must have.
 */
matching?: { [key in string]: string }, 
/**
 * Where the object carries the id (a JSON pointer).
 */
answer_id: string, 
/**
 * The refusal that means there is none (empty: every refusal is an error).
 */
none_when: string, };

/**
 * A poll after a create until the object reports the status wanted.
 */
export type ReadyStep = { 
/**
 * The endpoint (`get_kasm`).
 */
endpoint: string, 
/**
 * Where the object's id goes in the body (a JSON pointer).
 */
id_at: string, 
/**
 * Where the answer carries the status (a JSON pointer).
 */
status_at: string, 
/**
 * The status wanted (`running`).
 */
want: string, 
/**
 * The longest wait, in seconds.
 */
timeout_secs: number, };

/**
 * A call, as the type's table describes it, with its body filled in.
 */
export type CallStep = { 
/**
 * The resource address.
 */
address: string, 
/**
 * What it does.
 */
kind: CallKind, 
/**
 * The object's id, for an update or a delete.
 */
id?: string | null, 
/**
 * Kasm's endpoint (`create_user`).
 */
endpoint: string, 
/**
 * The request body. Holds secrets (a password).
 */
body: Record<string, unknown>, 
/**
 * Ids to put into the body when the step runs, by JSON pointer: a
 * managed target's id is read from the state then.
 */
ids?: { [key in string]: Target }, 
/**
 * The same request twice has one effect: it may be retried.
 */
repeat_safe: boolean, 
/**
 * Refusals that mean the effect is already there.
 */
done_when?: Array<string>, 
/**
 * Where the answer carries the new object's id (a JSON pointer).
 */
answer_id?: string | null, 
/**
 * After a lost answer, the read that finds what a create made.
 */
find?: FindStep | null, 
/**
 * After a create, the poll until the object is ready.
 */
ready?: ReadyStep | null, 
/**
 * What the state records after; absent for a delete. Each filled id
 * is recorded too, as the attribute its pointer ends with. Its `id` is
 * empty when the answer or `id_parts` gives it.
 */
record?: ObjectRecord | null, 
/**
 * Where the answer carries the object itself (`/image`): the record is
 * then Kasm's object, read by the core (`record`), with `record`'s
 * values over it.
 */
record_answer?: string | null, 
/**
 * The attributes whose values, joined by `:`, are the record's id
 * (a membership's `<group_id>:<user_id>`).
 */
id_parts?: Array<string>, 
/**
 * Refusals and what to do about them: a refusal's text → the help
 * added to the error (`{address}` stands for the address).
 */
help?: { [key in string]: string }, 
/**
 * A create sent without a pending mark: Kasm refuses a second object
 * with its values (a group), or the next plan reads what it made (a
 * link's row).
 */
unmarked?: boolean, 
/**
 * A create that first runs its `find`, and keeps what it finds: Kasm
 * would make a second equal object (a link's second row).
 */
search_first?: boolean, 
/**
 * A delete sent again until its `find` finds none: each call removes
 * one of several equal objects (a link's rows).
 */
until_gone?: boolean, };

/**
 * One action to carry out, with exactly what it needs to record its result.
 */
export type Step = { "action": "create" } & CreateStep | { "action": "adopt" } & AdoptStep | { "action": "forget" } & ReleaseStep | { "action": "move" } & MoveStep | { "action": "record_object" } & ObjectRecordStep | { "action": "call" } & CallStep;

/**
 * `apply_steps` output: the plan and the steps that carry it out.
 */
export type StepsResponse = { 
/**
 * A plan was made and nothing blocks it.
 */
ok: boolean, 
/**
 * The plan, as `plan` makes it.
 */
plan?: Plan | null, 
/**
 * The steps, in plan order (then addresses to forget).
 */
steps: Array<Step>, 
/**
 * For each step, the steps (by index) that must finish before it
 * starts ([`crate::graph`]); a step whose prerequisite fails is skipped.
 */
after: Array<Array<number>>, 
/**
 * Every configured resource → the resources it depends on (references
 * and `depends_on`), for the state to record per instance
 * ([`crate::state::State::record_dependencies`]).
 */
dependencies: { [key in string]: Array<string> }, 
/**
 * As for `plan`.
 */
diagnostics: Array<Diagnostic>, 
/**
 * As for `plan`: with `render`, the plan as text.
 */
rendered?: string | null, };

/**
 * `render_plan` input.
 */
export type RenderRequest = { 
/**
 * The plan, as `plan` made it.
 */
plan: Plan, 
/**
 * Show the drift only, as a refresh-only plan.
 */
refresh_only: boolean, 
/**
 * The plan's diagnostics: those about a create are repeated under it.
 */
diagnostics: Array<Diagnostic>, };

/**
 * `render_plan` output.
 */
export type RenderResponse = { 
/**
 * The text, lines ending in `\n`.
 */
text: string, };

/**
 * `outputs` output.
 */
export type OutputsResponse = { 
/**
 * Each declared output against the request's state (`before` is what
 * the state recorded; every id in the state is known).
 */
outputs: Array<OutputChange>, 
/**
 * The configuration's problems; no outputs when there are errors.
 */
diagnostics: Array<Diagnostic>, };

/**
 * `who_may_launch` input: a plan request, and filters.
 */
export type LaunchRequest = { 
/**
 * Only this username, or the usernames this glob matches.
 */
user?: string | null, 
/**
 * Only this image name, or the names this glob matches.
 */
image?: string | null, 
/**
 * What should exist.
 */
desired: Desired, 
/**
 * What was applied before; empty when absent.
 */
state: State, 
/**
 * The images on Kasm now (`get_images`).
 */
observed: Array<Image>, 
/**
 * Kasm's groups and links now (`get_groups`, `get_images_group`); needed
 * when the configuration or the state has groups or links.
 */
access?: Access | null, 
/**
 * Treat warnings as errors.
 */
strict: boolean, 
/**
 * Plan without a refresh: ignore `observed` and assume Kasm still holds
 * what the state recorded (Terraform's `-refresh=false`).
 */
from_state: boolean, 
/**
 * Only bring the state up to date with Kasm: no creates, updates or
 * deletes (Terraform's `-refresh-only`); the plan lists drift only.
 */
refresh_only: boolean, 
/**
 * Also answer the plan as text (`rendered`), as `render_plan` would
 * write it: a host that prints the plan need not pass it back.
 */
render: boolean, 
/**
 * Give no-op entries their full `before` attributes (for plan JSON and policies).
 * Off by default: most of a large plan's cost is building values for unchanged images.
 */
unchanged_values: boolean, 
/**
 * Delete the images no address manages that equal a desired spec
 * (`duplicates`); without it they are only reported.
 */
delete_duplicates: boolean, 
/**
 * Instances to replace although nothing forces it (Terraform's `-replace`).
 */
replace: Array<string>, 
/**
 * Plan only these resources or instances and what they depend on
 * (Terraform's `-target`); all when empty.
 */
targets: Array<string>, 
/**
 * Plan to delete everything the state manages, in reverse dependency
 * order (Terraform's `-destroy`); the configuration's resources and
 * outputs are set aside, its data sources still read.
 */
destroy: boolean, };

/**
 * What a plan does to a grant.
 */
export type GrantChange = "kept" | "added" | "removed";

/**
 * Who may launch what: a user, an image, and the groups that grant it.
 */
export type Grant = { 
/**
 * The username (the address of a user the plan makes, when it has none).
 */
user: string, 
/**
 * Kasm's id of the user; none until the plan makes it.
 */
user_id?: string | null, 
/**
 * The image's name (its address when the plan makes it).
 */
image: string, 
/**
 * Kasm's id of the image; none until the plan makes it.
 */
image_id?: string | null, 
/**
 * The groups of the user that may launch the image, by name, sorted:
 * after the plan, or before it for a grant the plan removes.
 */
groups: Array<string>, 
/**
 * Whether the plan keeps, adds or removes the grant.
 */
change: GrantChange, };

/**
 * `who_may_launch` output.
 */
export type LaunchResponse = { 
/**
 * The grants, by user, then image; none when the plan could not be made.
 */
grants: Array<Grant>, 
/**
 * The plan's diagnostics (sessions Kasm would refuse included), and a
 * bad filter.
 */
diagnostics: Array<Diagnostic>, };

/**
 * `record` input: the step's record of an address, and what the call told.
 */
export type RecordRequest = { 
/**
 * The address recorded.
 */
address: string, 
/**
 * The step's record: for an image, its values are laid over Kasm's
 * answer (a registry token's fingerprint), with its `prevent_destroy`.
 */
record: ObjectRecord, 
/**
 * What the call told: Kasm's answer, the ids filled in, the new id.
 */
answered: Answered, };

/**
 * `record` output.
 */
export type RecordResponse = { 
/**
 * The record to write under the address.
 */
record?: ObjectRecord | null, 
/**
 * Why there is none (an answer that is not the object, a new id
 * Kasm did not give).
 */
diagnostics: Array<Diagnostic>, };

/**
 * What a finished call tells about the object it made or changed.
 */
export type Answered = { 
/**
 * The object Kasm answered with, when the record is read from it (an
 * image as `create_image` and `update_image` answer it).
 */
answer?: unknown, 
/**
 * The ids put into the request when it ran, by the attribute each fills.
 */
filled?: { [key in string]: string }, 
/**
 * The new object's id, as Kasm answered it or as it was found.
 */
id?: string | null, 
/**
 * The attributes whose values, joined by `:`, are the id (a pair's).
 */
id_parts?: Array<string>, 
/**
 * The status the readiness poll saw (a session's).
 */
status?: string | null, };

/**
 * `recognise` input: a create body and the images Kasm lists now.
 */
export type RecogniseRequest = { 
/**
 * The `target_image` that was sent.
 */
target_image: { [key in string]: JsonValue }, 
/**
 * `get_images` after the failure.
 */
images: Array<Image>, 
/**
 * Image ids already bound to an address (never recognised).
 */
owned: Array<string>, };

/**
 * `import` input: the address and id the user gave, the state and Kasm's images.
 */
export type ImportRequest = { 
/**
 * The address to bind, e.g. `kasm_image.terminal`.
 */
address: string, 
/**
 * The image id (32 hex digits, hyphens allowed).
 */
image_id: string, 
/**
 * The state now.
 */
state: State, 
/**
 * The images on Kasm now.
 */
images: Array<Image>, 
/**
 * Kasm's groups and links, to import a `kasm_group` (id or
 * `name:<name>`) or a `kasm_group_image` (`<group_id>:<image_id>`);
 * with its users and sessions, to import a `kasm_user` (id or
 * `username:<name>`), a `kasm_group_membership` (`<group_id>:<user_id>`)
 * or a `kasm_session` (`<kasm_id>`).
 */
access?: Access | null, 
/**
 * The configuration that must declare the address (as Terraform, an
 * import binds only a resource the configuration has, so the next plan
 * cannot delete what was just imported). Absent, the address is not checked.
 */
configuration?: Configuration | null, };

/**
 * `import` output.
 */
export type ImportResponse = { 
/**
 * The image may be bound to the address.
 */
ok: boolean, 
/**
 * The image imported.
 */
image?: Image | null, 
/**
 * The record to write under the address, of any type.
 */
object?: ObjectRecord | null, 
/**
 * Why the import is refused.
 */
diagnostics: Array<Diagnostic>, };

/**
 * `read_terraform_state` input.
 */
export type TerraformStateRequest = { 
/**
 * The text of `terraform.tfstate` (format version 4).
 */
text: string, 
/**
 * The state here: addresses it already binds to the same ids are not imported again.
 */
state: State, };

/**
 * `read_terraform_state` output.
 */
export type TerraformStateResponse = { 
/**
 * No errors: the bindings may be imported.
 */
ok: boolean, 
/**
 * Each address to import and Kasm's id, as `import` takes them.
 */
bindings: Array<Binding>, 
/**
 * Addresses the state here already binds to the same id.
 */
bound: Array<string>, 
/**
 * Why it cannot be read, and what is left out.
 */
diagnostics: Array<Diagnostic>, };

/**
 * The language of a policy file.
 */
export type PolicyFormat = "json" | "hcl" | "rego";

/**
 * One policy file.
 */
export type PolicyFile = { 
/**
 * Its text.
 */
source: string, 
/**
 * Its language; guessed from `file_name` or the text when absent.
 */
format?: PolicyFormat | null, 
/**
 * Its name, shown in results.
 */
file_name?: string | null, };

/**
 * `policy_check` input.
 */
export type PolicyRequest = { 
/**
 * One policy file (rules as JSON or HCL, or Rego).
 */
policy?: PolicyFile | null, 
/**
 * A policy set: rule files (which may set Rego queries' levels) and Rego files.
 */
policies?: Array<PolicyFile>, 
/**
 * The specs to check.
 */
desired: Desired, 
/**
 * With `observed`, the rules on actions see the plan against them.
 */
state: State | null, 
/**
 * The images on Kasm; without it (and `state`) only spec rules apply.
 */
observed: Array<Image> | null, 
/**
 * Kasm's groups and links: with it, the plan the rules read has the
 * configuration's groups and links.
 */
access?: Access | null, 
/**
 * Soft-mandatory rules this run overrides.
 */
overrides: Array<string>, 
/**
 * A plan already made (e.g. a saved one): the rules on actions read it
 * instead of planning against `state` and `observed`.
 */
plan: Plan | null, 
/**
 * The Rego language version: `v0` (before OPA 1.0) or `v1`; unset, v1
 * and then v0 when v1 cannot parse the policy (as Conftest's `--rego-version`).
 */
rego_version?: RegoVersion | null, 
/**
 * Documents under `data.` for Rego (a JSON object), as Conftest's `--data`.
 */
data?: JsonValue | null, 
/**
 * The Rego step budget of the check, shared by its queries (default [`DEFAULT_MAX_STEPS`]).
 */
max_steps?: number | null, };

/**
 * How a failed rule counts.
 */
export type Level = "advisory" | "soft-mandatory" | "hard-mandatory";

/**
 * The Rego language version (`v0`, `v1`; unset: v1, or v0 when v1 cannot
 * parse the policy), named here so builds without the engine accept it.
 */
export type RegoVersion = "v0" | "v1";

/**
 * The outcome of one rule for one address (or for all, when it passed).
 */
export type PolicyResult = { 
/**
 * The rule's id.
 */
rule: string, 
/**
 * Its level.
 */
level: Level, 
/**
 * Whether it held.
 */
passed: boolean, 
/**
 * The resource concerned, for a failure.
 */
address?: string | null, 
/**
 * The field concerned, for a failure.
 */
path?: string | null, 
/**
 * What was found (or that it held).
 */
message: string, 
/**
 * A soft-mandatory failure the run overrode.
 */
overridden?: boolean, 
/**
 * The file that defines the rule (for Rego, the `.rego` file or files).
 */
file?: string | null, 
/**
 * For Rego, the query evaluated, e.g. `data.main.deny`.
 */
query?: string | null, };

/**
 * Every result, and whether the run must stop.
 */
export type PolicyReport = { 
/**
 * Per rule: failures by address, or one pass.
 */
results: Array<PolicyResult>, 
/**
 * A hard-mandatory failure, or a soft-mandatory one not overridden.
 */
blocking: boolean, 
/**
 * The soft-mandatory rules this run overrode (and that did fail).
 */
overridden: Array<string>, };

/**
 * `policy_check` output.
 */
export type PolicyResponse = { 
/**
 * Valid inputs and nothing blocking.
 */
ok: boolean, 
/**
 * The results, when the inputs were valid.
 */
report?: PolicyReport | null, 
/**
 * Problems with the specs or the policy files.
 */
diagnostics: Array<Diagnostic>, };

/**
 * A quick fix: within the diagnostic's location, the first `old` becomes
 * `new`. An editor offers it only when that text is there (a value that came
 * from a variable is not, so nothing is offered).
 */
export type Fix = { 
/**
 * What the fix does, e.g. "Rename to `memory`".
 */
title: string, 
/**
 * The text to replace, as written in the source.
 */
old: string, 
/**
 * Its replacement.
 */
new: string, };

/**
 * A resource instance `validate` checked, and where it is declared.
 */
export type CheckedResource = { 
/**
 * `kasm_image.web`, `kasm_image.pool[0]`.
 */
address: string, 
/**
 * The file that declares it.
 */
file?: string | null, 
/**
 * Where its block starts (images; groups and links are not located yet).
 */
location?: Location | null, 
/**
 * Where each argument it sets stands, by name.
 */
arguments?: { [key in string]: Location }, };

/**
 * `format` input: one HCL file (`.tf`, `.tfvars`, `.hcl`).
 */
export type FormatRequest = { 
/**
 * The text.
 */
source: string, 
/**
 * Tags the diagnostic of a text that does not parse.
 */
file_name?: string | null, };

/**
 * `format` output.
 */
export type FormatResponse = { 
/**
 * The formatted text; absent when the text does not parse.
 */
formatted?: string | null, 
/**
 * Whether formatting changes the text.
 */
changed: boolean, 
/**
 * Why the text was not formatted.
 */
diagnostics: Array<Diagnostic>, };

/**
 * Whether an argument must, may or cannot be set.
 */
export type Presence = "required" | "optional" | "computed";

/**
 * One argument or attribute.
 */
export type Argument = { 
/**
 * Its name in configurations.
 */
name: string, 
/**
 * Terraform's type name: `string`, `number`, `bool`, `object`.
 */
value_type: string, 
/**
 * Required, optional or computed.
 */
presence: Presence, 
/**
 * Never shown (planned by fingerprint).
 */
sensitive: boolean, 
/**
 * The unit of a number (`MB`).
 */
unit?: string | null, 
/**
 * The least value allowed.
 */
minimum?: number | null, 
/**
 * Whether `minimum` itself is excluded.
 */
exclusive_minimum?: boolean, 
/**
 * The greatest value allowed.
 */
maximum?: number | null, 
/**
 * Whether the value must be a whole number.
 */
integer?: boolean, 
/**
 * The longest text Kasm stores.
 */
max_length?: number | null, 
/**
 * The only values allowed, when there is such a list.
 */
allowed?: Array<string>, 
/**
 * What Kasm sets when the argument is left out.
 */
default?: JsonValue | null, 
/**
 * The key in Kasm's API, when it differs from `name`.
 */
wire_name?: string | null, 
/**
 * One line on what it is.
 */
description: string, };

/**
 * One resource type or data source.
 */
export type BlockSchema = { 
/**
 * E.g. `kasm_image`.
 */
type_name: string, 
/**
 * One line on what it is.
 */
description: string, 
/**
 * Its arguments and computed attributes, in the order docs list them.
 */
arguments: Array<Argument>, };

/**
 * A diagnostic code and what it means.
 */
export type CodeInfo = { 
/**
 * The code.
 */
code: Code, 
/**
 * One line on what it means.
 */
description: string, };

/**
 * Everything a configuration can say, and every code an answer can carry.
 */
export type Schema = { 
/**
 * `resource` blocks kasm-plan manages.
 */
resources: Array<BlockSchema>, 
/**
 * `data` blocks kasm-plan reads.
 */
data_sources: Array<BlockSchema>, 
/**
 * Every diagnostic code.
 */
codes: Array<CodeInfo>, };
