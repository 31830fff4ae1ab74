//! Recipe files: what a user sees for every kind of mistake (file, line, column, field,
//! message), the example recipes, and the JSON Schema that editors use.

use std::path::{Path, PathBuf};

use weft_core::recipe::{self, Trigger};

const GOOD: &str = "\
name: hello
connection: acme
trigger:
  wrike:
    events: [TaskCreated]
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
  - id: comment
    action: wrike.create_comment
    input:
      task: \"{{ steps.task.id }}\"
      text: \"Hello {{ steps.task.title }}\"
";

/// Parses `source` and checks that the first problem is at `line:column`, on `field`, and
/// that its message contains `message`.
#[track_caller]
fn check(source: &str, line: u64, column: u64, field: &str, message: &str) {
    let problems = recipe::parse("r.yaml", source).expect_err("the file is wrong");
    let first = &problems.problems[0];
    let shown = problems.to_string();
    assert_eq!(
        (first.line, first.column),
        (line, column),
        "place of: {shown}"
    );
    assert_eq!(first.field, field, "field of: {shown}");
    assert!(first.message.contains(message), "message of: {shown}");
    assert!(
        shown.starts_with(&format!("r.yaml:{line}:{column}: ")) || line == 0,
        "{shown}"
    );
}

#[test]
fn a_good_recipe_decodes_with_its_trigger_steps_and_templates() {
    let r = recipe::parse("good.yaml", GOOD).expect("valid");
    assert_eq!(r.name.value, "hello");
    assert!(matches!(&r.trigger.value, Trigger::Wrike(h) if h.events == ["TaskCreated"]));
    assert_eq!(r.steps.len(), 2);
    assert_eq!(r.steps[1].id.referenced.line(), 11);
}

#[test]
fn yaml_and_shape_mistakes_name_line_column_and_field() {
    // Broken YAML.
    check("name: a\ntrigger: [\n", 2, 10, "trigger", "");
    // A misspelt key.
    check(
        &GOOD.replace("    action: wrike.get_task", "    acton: wrike.get_task"),
        8,
        5,
        "steps[0].acton",
        "unknown field `acton`",
    );
    // A missing key.
    check(
        &GOOD.replace("connection: acme\n", ""),
        5,
        1,
        "",
        "missing field `connection`",
    );
    // A trigger that does not exist.
    check(
        &GOOD.replace("  wrike:\n", "  webhook:\n"),
        4,
        3,
        "trigger",
        "unknown variant `webhook`",
    );
    // A wrong type.
    check(
        &GOOD.replace(
            "      id: \"{{ trigger.taskId }}\"\n",
            "      id: \"{{ trigger.taskId }}\"\n    retry:\n      attempts: -2\n",
        ),
        12,
        17,
        "steps[0].retry.attempts",
        "",
    );
    // Empty file.
    check("  \n", 0, 0, "", "empty");
}

#[test]
fn a_name_the_web_ui_uses_for_a_page_is_refused() {
    for reserved in ["new", "reference"] {
        check(
            &GOOD.replace("name: hello", &format!("name: {reserved}")),
            1,
            7,
            "name",
            "names a page of the hub's web UI",
        );
    }
}

#[test]
fn template_mistakes_are_placed_at_the_string_that_holds_them() {
    // Syntax: found while reading, at the string.
    check(
        &GOOD.replace("Hello {{ steps.task.title }}", "Hello {{ steps.task.title "),
        15,
        13,
        "steps[1].input.text",
        "syntax error",
    );
    // A name nobody defines.
    check(
        &GOOD.replace("{{ trigger.taskId }}", "{{ trigger_id }}"),
        10,
        11,
        "steps[0].input.id",
        "\"trigger_id\" is not defined",
    );
    // A later step, or the step itself.
    check(
        &GOOD.replace("{{ trigger.taskId }}", "{{ steps.comment.id }}"),
        10,
        11,
        "steps[0].input.id",
        "steps.comment is not an earlier step",
    );
    // `item` outside a for_each.
    check(
        &GOOD.replace("{{ trigger.taskId }}", "{{ item.id }}"),
        10,
        11,
        "steps[0].input.id",
        "item is only defined",
    );
    // A filter that does not exist (minijinja alone would say so only when a run gets there).
    check(
        &GOOD.replace(
            "Hello {{ steps.task.title }}",
            "Hello {{ steps.task.title|uper }}",
        ),
        15,
        13,
        "steps[1].input.text",
        "unknown filter \"uper\"",
    );
}

#[test]
fn action_mistakes_name_the_action_and_its_inputs() {
    check(
        &GOOD.replace("wrike.get_task", "wrike.get_tsk"),
        8,
        13,
        "steps[0].action",
        "unknown action \"wrike.get_tsk\"",
    );
    check(
        &GOOD.replace(
            "      id: \"{{ trigger.taskId }}\"",
            "      idd: \"{{ trigger.taskId }}\"",
        ),
        10,
        12,
        "steps[0].input.idd",
        "wrike.get_task has no input \"idd\"",
    );
    check(
        &GOOD.replace("      text: \"Hello {{ steps.task.title }}\"\n", ""),
        14,
        7,
        "steps[1].input.text",
        "needs the input \"text\"",
    );
    check(
        &GOOD.replace("  - id: comment", "  - id: task"),
        11,
        9,
        "steps[1].id",
        "used twice",
    );
    check(
        &GOOD.replace("  - id: comment", "  - id: Comment-1"),
        11,
        9,
        "steps[1].id",
        "lower-case",
    );
}

#[test]
fn trigger_mistakes_are_named() {
    check(
        &GOOD.replace("[TaskCreated]", "[TaskCreatd]"),
        4,
        3,
        "trigger.wrike.events",
        "unknown Wrike event \"TaskCreatd\"",
    );
    let schedule = GOOD.replace(
        "  wrike:\n    events: [TaskCreated]\n",
        "  schedule:\n    cron: \"61 * * * *\"\n",
    );
    check(
        &schedule.replace("{{ trigger.taskId }}", "x"),
        4,
        3,
        "trigger.schedule",
        "",
    );
    let zone = GOOD.replace(
        "  wrike:\n    events: [TaskCreated]\n",
        "  schedule:\n    cron: \"0 9 * * MON\"\n    timezone: Mars/Olympus\n",
    );
    check(&zone, 4, 3, "trigger.schedule", "Mars/Olympus");
    let hub = |body: &str| {
        GOOD.replace("  wrike:\n    events: [TaskCreated]\n", body)
            .replace("{{ trigger.taskId }}", "{{ trigger.user.id }}")
    };
    check(
        &hub("  hub:\n    event: sync_finished\n    days: 30\n"),
        4,
        3,
        "trigger.hub.days",
        "days applies to user_inactive only, not to sync_finished",
    );
    check(
        &hub("  hub:\n    event: user_inactive\n    days: 0\n"),
        4,
        3,
        "trigger.hub.days",
        "days must be from 1 to 3650",
    );
    check(
        &hub("  hub:\n    event: user_idle\n"),
        5,
        12,
        "trigger.hub.event",
        "user_inactive",
    );
    recipe::parse(
        "r.yaml",
        &hub("  hub:\n    event: user_inactive\n    days: 60\n"),
    )
    .expect("a user_inactive trigger with its days");
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let source = GOOD
        .replace("wrike.get_task", "wrike.nope")
        .replace("Hello {{ steps.task.title }}", "Hello {{ nobody }}");
    let problems = recipe::parse("r.yaml", &source).unwrap_err();
    assert_eq!(problems.problems.len(), 2, "{problems}");
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/recipes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/recipes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_example_recipes_are_valid_and_cover_the_issue_s_list() {
    let files = examples();
    assert!(files.len() >= 5, "{files:?}");
    let mut actions = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read");
        let r =
            recipe::parse(&file.display().to_string(), &source).unwrap_or_else(|p| panic!("{p}"));
        actions.extend(r.steps.iter().map(|s| s.action.value.clone()));
    }
    for needed in [
        "wrike.update_task",
        "wrike.create_invitation",
        "wrike.create_comment",
        "http.request",
        "approval",
        "wrike.update_user",
    ] {
        assert!(
            actions.iter().any(|a| a == needed),
            "no example uses {needed}"
        );
    }
}

#[test]
fn the_json_schema_accepts_the_examples_and_knows_every_action_and_event() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/recipe.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for file in examples() {
        let source = std::fs::read_to_string(&file).expect("read");
        let doc: serde_json::Value = serde_saphyr::from_str(&source).expect("yaml");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    // A typo the schema must catch too.
    let bad: serde_json::Value =
        serde_saphyr::from_str(&GOOD.replace("wrike.get_task", "wrike.gettask")).expect("yaml");
    assert!(!validator.is_valid(&bad));

    let listed = |pointer: &str| -> Vec<String> {
        schema
            .pointer(pointer)
            .and_then(|v| v.as_array())
            .expect(pointer)
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let catalog: Vec<String> = recipe::CATALOG.iter().map(|a| a.name.to_owned()).collect();
    assert_eq!(
        listed("/$defs/step/properties/action/enum"),
        catalog,
        "docs/recipe.schema.json lists other actions than the catalog"
    );
    let events: Vec<String> = wrike_api::models::WebhookEventType::KNOWN
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    assert_eq!(
        listed("/$defs/trigger/properties/wrike/properties/events/items/enum"),
        events
    );
    let hub_events: Vec<String> = recipe::HubEvent::ALL
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    assert_eq!(
        listed("/$defs/trigger/properties/hub/properties/event/enum"),
        hub_events,
        "docs/recipe.schema.json lists other hub events than the code"
    );
}

/// A "billion laughs" file: aliases that expand ninefold at each of seven levels.
fn laughs(levels: usize) -> String {
    let mut text = String::from(
        "name: laughs\nconnection: c\ntrigger:\n  schedule:\n    cron: \"0 9 * * *\"\nsteps:\n  - id: s\n    action: map\n    input:\n      x: 1\ntests:\n  - name: t\n    trigger:\n      a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut previous = "a";
    for name in names.iter().take(levels) {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("      {name}: &{name} [{refs}]\n"));
        previous = name;
    }
    text
}

#[test]
fn alias_bombs_are_refused_early_and_small_anchors_still_work() {
    let bomb = laughs(7);
    assert!(bomb.len() < 700, "{} bytes", bomb.len());
    let problems = recipe::parse("laughs.yaml", &bomb).expect_err("refused");
    let shown = problems.to_string();
    assert!(shown.contains("alias replay limit"), "{shown}");
    assert!(!shown.ends_with("(used"), "{shown:?}");
    // Two levels of aliases are an ordinary file.
    recipe::parse("small.yaml", &laughs(2)).unwrap_or_else(|p| panic!("{p}"));
}

#[test]
fn a_recipe_says_which_privilege_it_needs_and_which_steps_need_it() {
    use weft_core::recipe::Privilege;
    let read = recipe::parse("r.yaml", GOOD).unwrap();
    assert_eq!(read.privilege(), (Privilege::WriteWork, vec!["comment"]));
    let raw = |method: &str, path: &str| {
        let source = format!(
            "name: raw\nconnection: c\ntrigger:\n  http: {{}}\nsteps:\n  - id: call\n    action: wrike.request\n    input:\n      method: {method}\n      path: \"{path}\"\n"
        );
        recipe::parse("raw.yaml", &source)
            .unwrap_or_else(|p| panic!("{p}"))
            .privilege()
            .0
    };
    assert_eq!(raw("GET", "/users/X"), Privilege::Read);
    assert_eq!(raw("PUT", "/users/X"), Privilege::AdministerUsers);
    assert_eq!(raw("POST", "/invitations"), Privilege::AdministerUsers);
    assert_eq!(raw("PUT", "/tasks/T"), Privilege::WriteWork);
    // A templated path is at least write work; the runner refuses more at run time.
    assert_eq!(raw("PUT", "{{ trigger.path }}"), Privilege::WriteWork);
    assert_eq!(raw("GET", "{{ trigger.path }}"), Privilege::Read);
    assert_eq!(
        raw("\\\"{{ trigger.m }}\\\"", "/users/{{ trigger.id }}"),
        Privilege::AdministerUsers
    );
    let weekly = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/recipes/weekly-idle-review.yaml"),
    )
    .unwrap();
    let weekly = recipe::parse("weekly.yaml", &weekly).unwrap();
    assert!(weekly.administers(), "{:?}", weekly.privilege());
}

#[test]
fn secrets_are_read_one_by_name_and_listed() {
    let with = |text: &str| {
        GOOD.replace(
            "text: \"Hello {{ steps.task.title }}\"",
            &format!("text: \"{text}\""),
        )
    };
    let recipe = recipe::parse(
        "r.yaml",
        &with("key {{ secrets.vendor_key }} {{ secrets.other }}"),
    )
    .unwrap();
    assert_eq!(
        recipe.secret_names().iter().collect::<Vec<_>>(),
        vec!["other", "vendor_key"]
    );
    check(
        &with("all {{ secrets }}"),
        15,
        13,
        "steps[1].input.text",
        "secrets are read one at a time by name",
    );
}
