// The typed functions, as a Node user calls them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as bindings from '../node.js';

const { validate, parse, filterImages, plan, whoMayLaunch, planToJson, renderPlan, format, schema, jsonSchema } = bindings;

const TF = `resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
  memory        = 2768
  cores         = 2
}
`;

test('validate reports line, column, code and help', () => {
  const result = validate(TF.replace('2768', '10'), { fileName: 'images.tf' });
  assert.equal(result.valid, false);
  const [d] = result.diagnostics;
  assert.equal(d.code, 'memory_out_of_range');
  assert.deepEqual(d.location.start, { line: 5, column: 3 });
  assert.equal(d.file, 'images.tf');
  assert.match(d.help, /MB/);
  assert.equal(validate(TF).valid, true);
});

test('a configuration of files takes variable values as Terraform orders them', () => {
  const files = [
    { source: 'variable "memory" {\n  type = number\n}\nvariable "apps" {\n  type = set(string)\n}', fileName: 'variables.tf' },
    { source: TF.replace('"terminal" {', '"app" {\n  for_each = var.apps').replace('2768', 'var.memory'), fileName: 'images.tf' },
  ];
  const missing = validate(files);
  assert.deepEqual(missing.diagnostics.map((d) => [d.code, d.address]), [['missing_variable', 'var.memory'], ['missing_variable', 'var.apps']]);
  const options = {
    tfvars: [{ source: 'memory = 1024\napps = ["a"]', fileName: 'terraform.tfvars' }],
    vars: { memory: 4096, apps: ['chrome', 'firefox'] },
  };
  assert.equal(validate(files, options).valid, true);
  const planned = plan(files, null, [], options);
  assert.ok(planned.ok, JSON.stringify(planned.diagnostics));
  assert.deepEqual(planned.plan.resource_changes.map((c) => [c.address, c.after.memory]), [
    ['kasm_image.app["chrome"]', 4096], ['kasm_image.app["firefox"]', 4096],
  ]);
  const json = planToJson(planned.plan);
  assert.deepEqual(json.resource_changes.map((c) => [c.name, c.index]), [['app', 'chrome'], ['app', 'firefox']]);
});

test('strict turns warnings into errors', () => {
  const latest = TF.replace(':1.18.0', ':latest');
  assert.equal(validate(latest).valid, true);
  assert.equal(validate(latest, { strict: true }).valid, false);
});

test('parse returns specs by name, with secrets hidden', () => {
  const result = parse(TF.replace('cores         = 2', 'docker_token = "hunter2"'));
  assert.deepEqual(Object.keys(result.specs), ['terminal']);
  assert.equal(result.specs.terminal.memory, 2768);
  assert.equal(result.specs.terminal.docker_token, '(sensitive value)');
  assert.ok(!JSON.stringify(result).includes('hunter2'));
});

const images = [
  { image_id: 'a'.repeat(32), name: 'kasmweb/terminal:1.18.0', enabled: true, memory: 2768000000, cores: 2 },
  { image_id: 'b'.repeat(32), name: 'kasmweb/chrome:1.18.0', enabled: false, memory: 4096000000, cores: 2 },
];

test('filterImages is the kasm_images data source', () => {
  assert.deepEqual(filterImages(images, { name: 'kasmweb/*' }).map((i) => i.image_id), ['a'.repeat(32), 'b'.repeat(32)]);
  assert.deepEqual(filterImages(images, { enabled: false }).map((i) => i.name), ['kasmweb/chrome:1.18.0']);
  assert.equal(filterImages(images).length, 2);
  assert.throws(() => filterImages(images, { name: 'kasmweb/[x' }), /invalid/);
  assert.throws(() => filterImages('nope'), /images/);
});

test('plan takes text, files or a spec object', () => {
  const fromText = plan(TF, null, []);
  assert.equal(fromText.ok, true);
  assert.equal(fromText.plan.summary.add, 1);
  const fromFiles = plan([{ source: TF, fileName: 'a.tf' }, { source: '{"images": {}}', fileName: 'b.json' }]);
  assert.equal(fromFiles.plan.summary.add, 1);
  const fromObject = plan({ images: { terminal: { name: 'kasmweb/terminal:1.18.0', image_src: 'x.png', friendly_name: 'T', memory: 2768 } } });
  assert.equal(fromObject.plan.resource_changes[0].action, 'create');
  const invalid = plan(TF.replace('2768', '10'));
  assert.equal(invalid.ok, false);
  assert.equal(invalid.diagnostics[0].code, 'memory_out_of_range');
});

test('whoMayLaunch says who may launch what once the plan is applied; destroy plans everything away', () => {
  const allUsers = '68d557ac4cac42cca9f31c7c853de0f3';
  const access = {
    groups: [{ group_id: allUsers, name: 'All Users', priority: 1000, is_system: true }],
    links: [{ group_image_id: 'r1', group_id: allUsers, image_id: images[0].image_id }],
    users: [], sessions: [],
  };
  const wanted = 'resource "kasm_user" "ann" {\n  username = "ann"\n}\n';
  const answer = whoMayLaunch(wanted, null, images, { access });
  assert.deepEqual(answer.diagnostics, []);
  assert.deepEqual(answer.grants.map((g) => [g.user, g.image, g.groups, g.change]),
    images.filter((i) => i.enabled).map((i) => ['ann', i.name, ['All Users'], 'added']));
  assert.deepEqual(whoMayLaunch(wanted, null, images, { access, user: 'bob*' }).grants, []);
  const destroyed = plan(TF, null, [], { destroy: true });
  assert.equal(destroyed.ok, true, JSON.stringify(destroyed.diagnostics));
  assert.equal(destroyed.plan.summary.add, 0);
});

test('plan against observed images and state, then Terraform plan JSON', () => {
  const state = {
    version: 1, serial: 1, lineage: 'l',
    resources: { 'kasm_image.terminal': { image_id: 'a'.repeat(32), attributes: { name: 'kasmweb/terminal:1.18.0', image_src: 'img/thumbnails/terminal.png', friendly_name: 'Terminal', memory: 2768, cores: 2, enabled: true } } },
  };
  const observed = [{ ...images[0], image_src: 'img/thumbnails/terminal.png', friendly_name: 'Terminal', memory: 4096000000 }];
  const result = plan(TF, state, observed, { unchangedValues: true });
  assert.equal(result.ok, true, JSON.stringify(result.diagnostics));
  const [change] = result.plan.resource_changes;
  assert.equal(change.action, 'update');
  assert.equal(change.reason, 'drift');
  assert.deepEqual(change.changes, [{ attribute: 'memory', before: 4096, after: 2768 }]);
  const tf = planToJson(result.plan);
  assert.equal(tf.format_version, '1.2');
  assert.deepEqual(tf.resource_changes[0].change.actions, ['update']);
  assert.throws(() => planToJson({}), /plan/);

  // -replace and -target, as the CLI passes them.
  const replaced = plan(TF, state, observed, { replace: ['kasm_image.terminal'] });
  assert.equal(replaced.plan.resource_changes[0].action, 'replace');
  assert.deepEqual(planToJson(replaced.plan).resource_changes[0].change.actions, ['delete', 'create']);
  const targeted = plan(TF, state, observed, { targets: ['kasm_image.other'] });
  assert.deepEqual(targeted.plan.resource_changes, []);
  assert.deepEqual(targeted.diagnostics.map((d) => d.code), ['unmatched_address', 'resource_targeting']);
  assert.equal(planToJson(targeted.plan).complete, false);
});

test('checkPolicy applies built-in rules with levels and overrides', async () => {
  const { checkPolicy } = await import('../node.js');
  const policy = 'rule "memory-cap" {\n  check  = "max_memory"\n  max_mb = 2048\n  level  = "soft-mandatory"\n}\n';
  const blocked = checkPolicy(policy, TF, { fileName: 'policy.hcl' });
  assert.equal(blocked.ok, false);
  assert.equal(blocked.report.results[0].path, 'kasm_image.terminal.memory');
  const allowed = checkPolicy(policy, TF, { fileName: 'policy.hcl', overrides: ['memory-cap'] });
  assert.equal(allowed.ok, true);
  assert.deepEqual(allowed.report.overridden, ['memory-cap']);
  const broken = checkPolicy('{"rules": 5}', TF, { format: 'json' });
  assert.equal(broken.diagnostics[0].code, 'invalid_policy');
});

test('the base entry has no Rego engine; kasm-plan/rego does', async () => {
  const { checkPolicy } = await import('../node.js');
  const rego = await import('../rego-node.js');
  const policy = 'package main\n\nimport rego.v1\n\ndeny contains msg if {\n  some name, spec in input.specs\n  spec.memory > 2048\n  msg := sprintf("%s uses too much memory", [name])\n}\n';
  const base = checkPolicy(policy, TF, { fileName: 'p.rego' });
  assert.equal(base.ok, false);
  assert.match(base.diagnostics[0].message, /no Rego engine/);
  const full = rego.checkPolicy(policy, TF, { fileName: 'p.rego' });
  assert.equal(full.report.blocking, true);
  assert.equal(full.report.results[0].message, 'terminal uses too much memory');
});

test('the npm package leaves rsadecrypt out, and says so; every other built-in is in', () => {
  const config = (expr) => `locals {\n  x = ${expr}\n}\n`;
  const left = validate(config('rsadecrypt("AAAA", "key")'), { fileName: 'main.tf' });
  assert.equal(left.valid, false);
  assert.match(left.diagnostics[0].message, /`rsadecrypt` is left out of this build/);
  for (const expr of ['yamldecode("a: 1")', 'csvdecode("a\\n1")', 'formatdate("YYYY", "2024-01-02T00:00:00Z")', 'base64gzip("x")', 'textencodebase64("x", "UTF-16LE")']) {
    assert.equal(validate(config(expr), { fileName: 'main.tf' }).valid, true, expr);
  }
});

test('kasm-plan/rego checks a policy set: levels from policies.hcl, file and query in results, a step budget', async () => {
  const { checkPolicy } = await import('../rego-node.js');
  const set = [
    { source: 'policy "big" {\n  query             = "data.kasm.deny"\n  enforcement_level = "soft-mandatory"\n}\n', fileName: 'policies.hcl' },
    { source: 'package kasm\n\nimport rego.v1\n\ndeny contains msg if {\n  some name, spec in input.specs\n  spec.memory > 2048\n  msg := sprintf("%s uses too much memory", [name])\n}\n', fileName: 'kasm.rego' },
  ];
  const blocked = checkPolicy(set, TF);
  assert.equal(blocked.ok, false);
  const [r] = blocked.report.results;
  assert.deepEqual([r.rule, r.level, r.file, r.query], ['big', 'soft-mandatory', 'kasm.rego', 'data.kasm.deny']);
  const allowed = checkPolicy(set, TF, { overrides: ['big'] });
  assert.equal(allowed.ok, true);
  assert.deepEqual(allowed.report.overridden, ['big']);
  // A policy that would run for ages is stopped by the step budget, in Node as anywhere.
  const runaway = 'package main\n\nimport rego.v1\n\ndeny contains x if {\n  some a in numbers.range(1, 100000)\n  some b in numbers.range(1, 100000)\n  x := a * b\n}\n';
  const stopped = checkPolicy(runaway, TF, { fileName: 'runaway.rego', maxSteps: 100000 });
  assert.equal(stopped.ok, false);
  assert.match(stopped.diagnostics[0].message, /ran more than 100000 steps/);
  assert.throws(() => checkPolicy(5, TF), /policy: expected the text of a policy file/);
});

test('a request the core cannot read throws a KasmPlanError carrying the diagnostic', () => {
  const { call } = bindings;
  let error;
  try {
    call('validate', '{"sauce": "x"}');
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'KasmPlanError');
  assert.equal(error.code, 'invalid_request');
  assert.match(error.help, /facade/);
  assert.equal(error.diagnostics.length, 1);
  assert.equal(error.diagnostics[0].code, 'invalid_request');
  assert.match(error.message, /source/);
  // The functions name the argument, and keep the code to branch on.
  assert.throws(() => planToJson({}), (e) => e.code === 'invalid_request' && /^plan: /.test(e.message));
  assert.throws(() => filterImages(images, { name: 'kasmweb/[x' }), (e) => e.code === 'invalid_filter');
});

test('groups and links plan against the groups Kasm has, given as `access`', () => {
  const allUsers = '68d557ac4cac42cca9f31c7c853de0f3';
  const config = `${TF}
resource "kasm_group_image" "terminal" {
  group_name = "All Users"
  image_id   = kasm_image.terminal.id
}
`;
  const unread = plan(config, null, []);
  assert.equal(unread.ok, false);
  assert.deepEqual(unread.diagnostics.map((d) => d.code), ['access_unread']);
  const access = { groups: [{ group_id: allUsers, name: 'All Users', priority: 1000, is_system: true }], links: [] };
  const answer = plan(config, null, [], { access });
  assert.equal(answer.ok, true);
  const planned = answer.plan;
  const [image, link] = planned.resource_changes;
  assert.equal(image.resource_type, 'kasm_image');
  assert.equal(link.address, 'kasm_group_image.terminal');
  assert.equal(link.action, 'create');
  assert.equal(link.after.group_id, allUsers);
  assert.deepEqual(link.waits_for, { image_id: 'kasm_image.terminal' });
  assert.equal(planned.summary.add, 2);
  const json = planToJson(planned);
  assert.deepEqual(json.resource_changes.map((c) => [c.type, c.change.actions]), [['kasm_image', ['create']], ['kasm_group_image', ['create']]]);
});

test('format lays HCL out as kasm-plan fmt, and schema describes every argument', () => {
  const tidy = 'resource "kasm_image" "t" {\n  name   = "kasmweb/terminal:1.18.0"\n  memory = 2768\n}\n';
  const answer = format('resource "kasm_image" "t" {\nname="kasmweb/terminal:1.18.0"\n      memory=2768\n}');
  assert.deepEqual(answer, { formatted: tidy, changed: true, diagnostics: [] });
  assert.equal(format(tidy).changed, false);
  const broken = format('resource "kasm_image" "t" {\n  name = \n', { fileName: 'main.tf' });
  assert.equal(broken.formatted, undefined);
  assert.equal(broken.diagnostics[0].code, 'syntax_error');
  assert.equal(broken.diagnostics[0].file, 'main.tf');

  const s = schema();
  const image = s.resources.find((r) => r.type_name === 'kasm_image');
  const memory = image.arguments.find((a) => a.name === 'memory');
  assert.deepEqual([memory.minimum, memory.maximum, memory.unit], [256, 256000, 'MB']);
  assert.deepEqual(image.arguments.find((a) => a.name === 'image_type').allowed, ['Container', 'Server', 'Server Pool', 'Link']);
  assert.ok(s.codes.some((c) => c.code === 'memory_out_of_range' && c.description.includes('256')));
  assert.equal(jsonSchema().definitions.kasm_image.properties.memory.maximum, 256000);
});

test('renderPlan prints a plan as the CLI does, drift and refresh-only included', () => {
  const planned = plan(TF, null, []);
  assert.ok(planned.ok, JSON.stringify(planned.diagnostics));
  const text = renderPlan(planned.plan);
  assert.match(text, /# kasm_image.terminal will be created\n {2}\+ resource "kasm_image" "terminal" \{\n/);
  assert.match(text, /\+ memory +=  ?2768 MB\n/);
  assert.match(text, /\nPlan: 1 to add, 0 to change, 0 to destroy\.\n$/);
  assert.equal(renderPlan(planned.plan, { refreshOnly: true }), 'No changes. The state matches Kasm.\n');
  assert.throws(() => renderPlan({}), (e) => e.code === 'invalid_request');
});
