//! Recipes across real processes: `weft recipes` applies and starts a recipe, `weft serve`
//! takes an inbound call and is killed (SIGKILL) while the run's first step is in flight;
//! a `weft worker` takes the run over once the lease expires, finishes it, and the comment
//! its last step makes exists once in the simulated Wrike. Bad recipe files are refused by
//! `weft recipes validate` with their file, line and column, and change nothing.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_store::{RunStatus, Store};

mod common;
use common::{Instance, call_trigger, delayed_endpoint, recipe_endpoint, sim_and_hub, spawn, text};

const RECIPE: &str = "\
name: slow-then-comment
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: slow
    action: http.request
    input:
      url: \"{{ trigger.slowUrl }}\"
      method: POST
      json: {task: \"{{ trigger.taskId }}\"}
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"Done after a slow step: {{ steps.slow.body.ok }}\"
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_run_has_its_run_finished_by_another_instance_once() {
    let (sim, hub, public) = sim_and_hub(
        "recipe-kill",
        &[("WEFT_JOB_LEASE_SECONDS", "2"), ("WEFT_LOG", "info")],
        json!({"scopes": ["Default"]}),
    )
    .await;
    let http = reqwest::Client::new();

    // A bad file is refused with its place, and nothing is stored.
    let recipes = hub.dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::write(
        recipes.join("bad.yaml"),
        RECIPE.replace("action: http.request", "action: http.requests"),
    )
    .unwrap();
    let out = hub.run(&["recipes", "validate", recipes.to_str().unwrap()]);
    assert!(!out.status.success());
    let shown = text(&out);
    assert!(
        shown.contains("bad.yaml:7:13: steps[0].action: unknown action \"http.requests\""),
        "{shown}"
    );
    let out = hub.run(&["recipes", "apply", recipes.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        hub.run(&["recipes", "list"])
            .stdout
            .starts_with(b"no recipes")
    );

    std::fs::remove_file(recipes.join("bad.yaml")).unwrap();
    std::fs::write(recipes.join("slow.yaml"), RECIPE).unwrap();
    let out = hub.run(&["recipes", "apply", recipes.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("add      slow-then-comment"),
        "{}",
        text(&out)
    );
    let out = hub.run(&["recipes", "start", "slow-then-comment"]);
    assert!(out.status.success(), "{}", text(&out));
    // `show` prints the endpoint and its secret (to whoever may run the CLI on the hub).
    let (path, secret) = recipe_endpoint(&hub, "slow-then-comment", &public);

    let mut serve = spawn(&hub, &["serve"], "serve.log");
    let started = Instant::now();
    while http.get(format!("{public}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start: {}",
            hub.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (slow_url, calls) = delayed_endpoint(Duration::from_secs(3)).await;
    let task = {
        let world = sim.sim.read();
        world.accounts[0]
            .tasks
            .iter()
            .find(|t| t.scope == wrike_api::models::TreeScope::WsTask)
            .unwrap()
            .id
            .clone()
    };
    let event = json!({"taskId": task, "slowUrl": slow_url});
    call_trigger(&http, &format!("{public}{path}"), &secret, &event).await;

    // The first step is in flight: kill the hub without warning.
    let started = Instant::now();
    while calls.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the slow step never started: {}",
            hub.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    serve.kill().unwrap();
    serve.wait().unwrap();

    let store = Store::open(&hub.database_url()).await.unwrap();
    let run = store
        .recipes()
        .runs(&weft_store::RunFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(run.len(), 1);
    let id = run[0].id;
    assert!(!run[0].status.is_final(), "{:?}", run[0]);

    let mut worker = spawn(&hub, &["worker"], "worker.log");
    let started = Instant::now();
    let done = loop {
        let run = store.recipes().run(id).await.unwrap().unwrap();
        if run.status.is_final() {
            break run;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "not finished: {run:?}\n{}",
            hub.log("worker.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    worker.kill().unwrap();
    worker.wait().unwrap();
    assert_eq!(
        done.status,
        RunStatus::Succeeded,
        "{done:?}\n{}",
        hub.log("worker.log")
    );
    let steps = store.recipes().steps(id).await.unwrap();
    let attempts: Vec<(String, i64, &str)> = steps
        .iter()
        .map(|s| (s.step_id.clone(), s.attempt, s.status.as_str()))
        .collect();
    assert_eq!(
        attempts,
        vec![
            ("slow".into(), 1, "running"),
            ("slow".into(), 2, "succeeded"),
            ("note".into(), 1, "succeeded")
        ],
        "the killed attempt stays on record as cut off"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the cut-off call and the one that finished"
    );
    let comments: Vec<_> = sim.sim.read().accounts[0]
        .comments
        .iter()
        .filter(|c| {
            c.task_id.as_deref() == Some(task.as_str()) && c.text == "Done after a slow step: True"
        })
        .cloned()
        .collect();
    let on_task: Vec<String> = sim.sim.read().accounts[0]
        .comments
        .iter()
        .filter(|c| c.task_id.as_deref() == Some(task.as_str()))
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(comments.len(), 1, "{on_task:?}");

    // The CLI shows the run's timeline.
    let shown = text(&hub.run(&["recipes", "run", &id.to_string()]));
    assert!(
        shown.contains("succeeded") && shown.contains("note"),
        "{shown}"
    );
}

/// Every typed Wrike action of the catalog runs in a recipe's own test (`weft recipes test`
/// against the simulator in the process), each reading what the one before gave.
#[test]
fn every_typed_wrike_action_runs_in_a_recipe_test() {
    let hub = Instance::new("recipe-tour", &[]);
    let tour = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/recipes/connector_tour.yaml"
    );
    let out = hub.run(&["recipes", "test", tour]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("1 passed, 0 failed"), "{shown}");
    // The tour names every action the connector module runs.
    let source = std::fs::read_to_string(tour).unwrap();
    for action in [
        "get_folder",
        "search_projects",
        "search_folders",
        "copy_project",
        "list_folder_blueprints",
        "launch_folder_blueprint",
        "list_task_blueprints",
        "launch_task_blueprint",
        "list_custom_item_types",
        "create_from_custom_item_type",
        "list_custom_fields",
        "create_custom_field",
        "set_custom_fields",
        "get_custom_fields",
        "list_users",
        "get_user",
        "list_groups",
        "add_group_members",
        "remove_group_members",
        "search_timelogs",
        "update_timelog",
        "delete_timelog",
        "list_timelog_categories",
        "get_attachment",
        "get_attachment_url",
        "update_attachment",
        "get_approval",
        "update_approval",
    ] {
        assert!(
            source.contains(&format!("action: wrike.{action}\n")),
            "{action}"
        );
    }
}

/// `weft recipes test` runs the example recipes' own tests against a simulator in the
/// process; CI runs them here. A wrong expectation is shown as a diff and fails.
#[test]
fn the_example_recipes_pass_their_own_tests_and_a_wrong_expectation_fails() {
    let hub = Instance::new("recipe-tests", &[]);
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/recipes");
    let out = hub.run(&["recipes", "test", examples]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("8 passed, 0 failed"), "{shown}");

    let source =
        std::fs::read_to_string(format!("{examples}/comment-on-status-change.yaml")).unwrap();
    let wrong = hub.dir.join("wrong.yaml");
    std::fs::write(
        &wrong,
        source.replace(
            "text: Status changed from Active to Completed.",
            "text: Status is Completed.",
        ),
    )
    .unwrap();
    let out = hub.run(&["recipes", "test", wrong.to_str().unwrap()]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains("FAILED") && shown.contains("comment: the input differs"),
        "{shown}"
    );
    assert!(
        shown.contains("-  \"text\": \"Status is Completed.\"")
            && shown.contains("+  \"text\": \"Status changed from Active to Completed.\""),
        "{shown}"
    );
}

const ASK_THEN_MAP: &str = "\
name: ask-then-map
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: ask
    action: http.request
    input:
      url: URL
      method: POST
      json: {n: \"{{ trigger.n }}\"}
  - id: answer
    action: map
    input:
      status: \"{{ steps.ask.status }}\"
      verdict: \"{{ steps.ask.body.verdict if steps.ask.body else 'none' }}\"
tests:
  - name: the other system's answer, given, is mapped
    trigger: {n: 3}
    outputs:
      ask: {status: 201, body: {verdict: approved}}
    expect:
      ask: {url: URL, method: POST, json: {n: 3}}
      answer: {status: 201, verdict: approved}
  - name: without a given answer the request is not sent either
    trigger: {n: 4}
    expect:
      ask: {url: URL, method: POST, json: {n: 4}}
      answer: {status: 200, verdict: none}
";

/// `weft recipes test` never reaches outside the simulator: an HTTP step's input is checked
/// but nothing is sent, and a test's `outputs` stand in for the other system's answer.
#[tokio::test(flavor = "multi_thread")]
async fn recipe_tests_send_no_http_request_and_take_given_outputs() {
    let (url, calls) = delayed_endpoint(Duration::ZERO).await;
    let hub = Instance::new("recipe-tests-offline", &[("WEFT_RECIPE_HTTP_ALLOW", "*")]);
    let file = hub.dir.join("ask.yaml");
    std::fs::write(&file, ASK_THEN_MAP.replace("URL", &url)).unwrap();
    let out = hub.run(&["recipes", "test", file.to_str().unwrap()]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("2 passed, 0 failed"), "{shown}");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a recipe test sent a request"
    );

    // An output for a step the recipe does not have is refused by name.
    std::fs::write(
        &file,
        ASK_THEN_MAP
            .replace("URL", &url)
            .replace("    outputs:\n      ask:", "    outputs:\n      asked:"),
    )
    .unwrap();
    let out = hub.run(&["recipes", "test", file.to_str().unwrap()]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("names the step \"asked\""), "{shown}");
}

/// `weft recipes actions` lists the catalog for people and as JSON; an unknown name fails.
#[test]
fn the_actions_are_listed_from_the_cli() {
    let hub = Instance::new("recipe-actions", &[]);
    let out = hub.run(&["recipes", "actions", "wrike.upload_attachment"]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("(needs: write_work; privilege: write work)"),
        "{shown}"
    );
    assert!(shown.contains("* name"), "{shown}");
    assert!(shown.contains("  content_base64"), "{shown}");

    let out = hub.run(&["recipes", "actions", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.len(), weft_core::recipe::CATALOG.len());
    assert!(
        listed
            .iter()
            .any(|a| a["name"] == "wrike.update_user" && a["privilege"] == "administer_users")
    );
    assert!(listed.iter().any(|a| {
        a["name"] == "notify"
            && a["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["name"] == "to")
    }));

    let out = hub.run(&["recipes", "actions", "wrike.make_coffee"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no action \"wrike.make_coffee\""),
        "{}",
        text(&out)
    );

    // validate --json: a verdict per file, problems with their line and field.
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/recipes/route-new-requests.yaml"
    );
    let out = hub.run(&["recipes", "validate", "--json", example]);
    assert!(out.status.success(), "{}", text(&out));
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["recipes"][0]["name"], "route-new-requests");
    let broken = hub.dir.join("broken.yaml");
    std::fs::write(&broken, "name: broken\nconnection: c\ntrigger:\n  http: {}\nsteps:\n  - id: a\n    action: wrike.make_coffee\n").unwrap();
    let out = hub.run(&["recipes", "validate", "--json", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["valid"], false);
    let problem = &verdict["problems"][0]["problems"][0];
    assert_eq!(problem["line"], 7, "{verdict}");
    assert!(
        problem["field"].as_str().unwrap().starts_with("steps[0]"),
        "{verdict}"
    );
}

/// Runs of `recipe` once `count` of them have settled (finished or waiting), read with
/// `weft recipes runs --json`.
async fn settled_runs(hub: &Instance, recipe: &str, count: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let out = hub.run(&["recipes", "runs", "--recipe", recipe, "--json"]);
        assert!(out.status.success(), "{}", text(&out));
        let page: Value = serde_json::from_slice(&out.stdout).unwrap();
        let runs: Vec<Value> = page["items"].as_array().cloned().unwrap_or_default();
        let settled = runs
            .iter()
            .filter(|r| {
                matches!(
                    r["status"].as_str(),
                    Some("succeeded" | "failed" | "waiting" | "cancelled")
                )
            })
            .count();
        if settled >= count {
            return runs;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the runs of {recipe} did not settle: {runs:?}\n{}",
            hub.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The example folder as a team keeps it in git, applied and started with `weft recipes`
/// against a running `weft serve`; people's changes in the simulated Wrike (its control
/// API) start the recipes, whose actions are then in the simulator; a scheduled recipe is
/// run by hand with `weft recipes trigger`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_folder_applied_from_the_cli_runs_against_the_simulator() {
    let (sim, hub, public) = sim_and_hub(
        "recipe-examples",
        &[],
        json!({"scopes": ["Default", "amReadWriteUser", "amReadWriteInvitation", "amReadOnlyAuditLog"]}),
    )
    .await;
    let http = reqwest::Client::new();
    let account = sim.sim.read().accounts[0].id().to_owned();

    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/recipes");
    let out = hub.run(&["recipes", "apply", examples]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        text(&out).matches("add ").count(),
        6,
        "every example is added: {}",
        text(&out)
    );
    let mut serve = spawn(&hub, &["serve"], "serve.log");
    let started = Instant::now();
    while http.get(format!("{public}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start: {}",
            hub.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for name in ["route-new-requests", "comment-on-status-change"] {
        let out = hub.run(&["recipes", "start", name]);
        assert!(out.status.success(), "{name}: {}", text(&out));
    }

    // Someone files a request in IT Requests, then completes it.
    let control = |path: &str, body: Value| {
        let request = http
            .post(format!("{}/_sim/accounts/{account}/{path}", sim.base_url()))
            .json(&body);
        async move {
            let answer = request.send().await.unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
            answer.json::<Value>().await.unwrap()
        }
    };
    let created = control(
        "task_changes",
        json!({"action": "create", "folderId": "IEAAAAARI4AAAADO", "params": {"title": "Printer jam"}}),
    )
    .await;
    let task = created["id"].as_str().unwrap().to_owned();
    let runs = settled_runs(&hub, "route-new-requests", 1).await;
    assert_eq!(runs[0]["status"], "succeeded", "{runs:?}");
    {
        let world = sim.sim.read();
        let routed = world.accounts[0]
            .tasks
            .iter()
            .find(|t| t.id == task)
            .unwrap();
        assert_eq!(routed.title, "[Request] Printer jam");
        assert_eq!(routed.parent_ids, Some(vec!["IEAAAAARI4AAAADP".to_owned()]));
    }
    control(
        "task_changes",
        json!({"action": "update", "taskId": task, "params": {"status": "Completed"}}),
    )
    .await;
    let runs = settled_runs(&hub, "comment-on-status-change", 1).await;
    assert_eq!(runs[0]["status"], "succeeded", "{runs:?}");
    let said: Vec<String> = sim.sim.read().accounts[0]
        .comments
        .iter()
        .filter(|c| c.task_id.as_deref() == Some(task.as_str()))
        .map(|c| c.text.clone())
        .collect();
    assert!(
        said.contains(&"Status changed from Active to Completed.".to_owned()),
        "{said:?}"
    );

    // The weekly review, run now by hand once it is started (a stopped recipe starts
    // nothing); a webhook recipe needs an event to run with.
    let out = hub.run(&["recipes", "trigger", "weekly-idle-review"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("is stopped"), "{}", text(&out));
    let out = hub.run(&["recipes", "start", "weekly-idle-review"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = hub.run(&["recipes", "trigger", "weekly-idle-review"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).starts_with("recipe weekly-idle-review started run "),
        "{}",
        text(&out)
    );
    let runs = settled_runs(&hub, "weekly-idle-review", 1).await;
    assert_eq!(runs[0]["triggerEvent"]["manual"], true, "{runs:?}");
    let out = hub.run(&["recipes", "trigger", "route-new-requests"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("give the event to run it with"),
        "{}",
        text(&out)
    );

    // A run that fails (its event names a task that does not exist) says so in the log, and
    // the runs page says who started it, by name.
    let event = hub.dir.join("missing-task.json");
    std::fs::write(
        &event,
        json!({"eventType": "TaskCreated", "taskId": "IEAAAAARKQNOTHERE"}).to_string(),
    )
    .unwrap();
    let out = hub
        .command(&[
            "--as",
            "dana",
            "recipes",
            "trigger",
            "route-new-requests",
            "--event",
        ])
        .arg(&event)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let runs = settled_runs(&hub, "route-new-requests", 2).await;
    let failed = runs
        .iter()
        .find(|r| r["status"] == "failed")
        .unwrap_or_else(|| panic!("{runs:?}"));
    assert!(
        failed["startedBy"]
            .as_str()
            .is_some_and(|by| by.starts_with("cli:") && by.ends_with(" as dana")),
        "{failed}"
    );
    let logged = hub.log("serve.log");
    let line = logged
        .lines()
        .find(|l| l.contains("recipe run failed"))
        .unwrap_or_else(|| panic!("no log line for the failed run: {logged}"));
    assert!(
        line.contains("route-new-requests")
            && line.contains(&format!("run={}", failed["id"].as_str().unwrap())),
        "{line}"
    );
    serve.kill().unwrap();
    serve.wait().unwrap();
}
