// The package's functions, over the core's one entry point `call(operation,
// requestJson)`: each builds the facade request (docs/facade.md) from its
// arguments and reads the answer. A request the core cannot read throws the
// core's `KasmPlanError` (with `code`, `path`, `help`, `diagnostics`).

/** The functions, bound to one build of the core (`call` and `diagnosticError`). */
export function bind(wasm) {
  /** Runs an operation; a refusal names the argument it came from. */
  const run = (operation, request, argument) => {
    try {
      return JSON.parse(wasm.call(operation, JSON.stringify(request)));
    } catch (e) {
      if (e?.name === 'KasmPlanError') e.message = `${argument}: ${e.message}`;
      throw e;
    }
  };
  /** An argument of the wrong kind, as the core reports a bad request. */
  const invalid = (argument, message) => wasm.diagnosticError(JSON.stringify({
    severity: 'error', code: 'invalid_request', message: `${argument}: ${message}`,
  }));
  /** A source text with the options that describe it. */
  const source = (text, o = {}) => ({ source: text, format: o.format, file_name: o.fileName });
  /**
   * Variable values, lowest precedence first: `tfvars` files, then `vars`
   * (`{name: value}`, as `-var`: a string as it is, anything else as its JSON,
   * which Terraform's expression syntax reads), then raw `variables` inputs.
   */
  const variables = (o = {}) => [
    ...(o.tfvars ?? []).map((f) => ({ from: 'file', source: f.source, file_name: f.fileName })),
    ...Object.entries(o.vars ?? {}).map(([name, value]) => ({
      from: 'argument', name, value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
    ...(o.variables ?? []),
  ];
  /** A configuration of files and variable values. */
  const configuration = (files, o) => ({ sources: files.map((f) => source(f.source, f)), variables: variables(o) });
  const hasVariables = (o = {}) => Boolean(o.tfvars?.length || Object.keys(o.vars ?? {}).length || o.variables?.length);
  /** `desired`: source text, files `[{source, fileName?, format?}]`, or `{images: {...}}`. */
  const desired = (value, text, o) => {
    if (typeof value === 'string' && hasVariables(o)) return configuration([{ source: value, ...o }], o);
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return configuration(value, o);
    if (value && typeof value.images === 'object') return value;
    throw invalid('desired', 'expected text, files or {images: {...}}');
  };

  /** A plan request from `plan`'s arguments. */
  const planRequest = (wanted, state, observed, options) => ({
    desired: desired(wanted, (text) => source(text, options), options),
    state: state ?? undefined,
    observed: observed ?? undefined,
    access: options.access ?? undefined,
    strict: options.strict ?? false,
    unchanged_values: options.unchangedValues ?? false,
    targets: options.targets ?? [],
    replace: options.replace ?? [],
    destroy: options.destroy ?? false,
  });

  return {
    validate(specs, options = {}) {
      const strict = options.strict ?? false;
      if (Array.isArray(specs)) return run('validate', { ...configuration(specs, options), strict }, 'validate');
      if (typeof specs !== 'string') throw invalid('validate', 'expected a spec text or files [{source, fileName?}]');
      if (hasVariables(options)) {
        return run('validate', { ...configuration([{ ...options, source: specs }], options), strict }, 'validate');
      }
      return run('validate', { ...source(specs, options), strict }, 'validate');
    },

    parse(text, options = {}) {
      return run('parse', source(text, options), 'parse');
    },

    filterImages(images, filter = {}) {
      if (!Array.isArray(images)) throw invalid('images', 'expected an array of images');
      const answer = run('filter', { images, name: filter.name, enabled: filter.enabled }, 'images');
      const [problem] = answer.diagnostics;
      if (problem) throw wasm.diagnosticError(JSON.stringify(problem));
      return answer.images;
    },

    plan(wanted, state, observed, options = {}) {
      return run('plan', planRequest(wanted, state, observed, options), 'plan');
    },

    whoMayLaunch(wanted, state, observed, options = {}) {
      const request = { ...planRequest(wanted, state, observed, options), user: options.user, image: options.image };
      return run('who_may_launch', request, 'whoMayLaunch');
    },

    format(text, options = {}) {
      if (typeof text !== 'string') throw invalid('format', 'expected the text of an HCL file');
      return run('format', { source: text, file_name: options.fileName }, 'format');
    },

    schema() {
      return run('schema', {}, 'schema');
    },

    jsonSchema() {
      return run('json_schema', {}, 'jsonSchema');
    },

    planToJson(plan) {
      return run('plan_to_json', plan, 'plan');
    },

    renderPlan(plan, options = {}) {
      const request = { plan, refresh_only: options.refreshOnly ?? false, diagnostics: options.diagnostics ?? [] };
      return run('render_plan', request, 'plan').text;
    },

    checkPolicy(policy, wanted, options = {}) {
      const request = {
        desired: desired(wanted, (text) => ({ source: text }), options.configuration),
        plan: options.plan,
        state: options.state,
        observed: options.observed,
        access: options.access,
        overrides: options.overrides ?? [],
        rego_version: options.regoVersion,
        data: options.data,
        max_steps: options.maxSteps,
      };
      if (typeof policy === 'string') {
        // A lone text: the options' format and file name are the policy's, not the specs'.
        request.policy = source(policy, options);
      } else if (Array.isArray(policy)) {
        request.policies = policy.map((f) => source(f.source, f));
      } else {
        throw invalid('policy', 'expected the text of a policy file, or an array of {source, fileName?, format?}');
      }
      return run('policy_check', request, 'policy');
    },

    call: wasm.call,
  };
}
