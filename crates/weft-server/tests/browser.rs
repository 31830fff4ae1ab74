//! The web UI in a real headless Chromium: sign in, connect a Wrike account by OAuth through
//! the simulator's consent page, see it healthy, break it, see the banner. Skips with a loud
//! message when Chromium or ChromeDriver is missing, unless WEFT_REQUIRE_BROWSER=1.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;
#[path = "../../weft/tests/oidc/provider.rs"]
mod provider;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

struct Driver(Child);

async fn click(browser: &fantoccini::Client, at: Locator<'_>) {
    browser.find(at).await.unwrap().click().await.unwrap();
}

async fn type_into(browser: &fantoccini::Client, at: Locator<'_>, text: &str) {
    browser
        .find(at)
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits (up to 10 s) until the browser is on a page whose path is `path`.
async fn wait_for_path(browser: &fantoccini::Client, path: &str) {
    for _ in 0..100 {
        if browser.current_url().await.is_ok_and(|u| u.path() == path) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the browser never reached {path}; it is on {:?}",
        browser.current_url().await.map(|u| u.to_string())
    );
}

/// Waits (up to 10 s) until the element at `at` reads `expected`. A form that posts back to
/// the page it was on leaves the path unchanged, so the path alone says nothing was done.
async fn wait_for_text(browser: &fantoccini::Client, at: Locator<'_>, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(element) = browser.find(at).await
            && let Ok(text) = element.text().await
        {
            if text == expected {
                return;
            }
            seen = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{at:?} never read {expected:?}; it reads {seen:?}");
}

/// Adds a connection named `name` to the hub at `base` (as the Admin, through the API) with
/// a token the simulator issues for its first account (with `scopes`; its default ones when
/// none are given) and `features`; answers its id.
async fn add_connection(
    http: &reqwest::Client,
    sim: &wrike_sim::RunningSim,
    base: &str,
    name: &str,
    scopes: &[&str],
    features: &[&str],
) -> String {
    let request = if scopes.is_empty() {
        json!({})
    } else {
        let account = sim.sim.read().accounts[0].id().to_owned();
        json!({"accountId": account, "scopes": scopes})
    };
    let token: serde_json::Value = http
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let added = http
        .post(format!("{base}/api/v1/connections"))
        .bearer_auth("wft_token-admin")
        .json(&json!({"name": name, "dataCenter": sim.api_url(0), "token": token["accessToken"], "features": features}))
        .send()
        .await
        .unwrap();
    let status = added.status();
    let body: serde_json::Value = added.json().await.unwrap();
    assert!(status.is_success(), "{body}");
    body["connection"]["id"]
        .as_str()
        .or_else(|| body["id"].as_str())
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// Waits (up to 10 s) until the element at `at` reads something that starts with
/// `prefix`; answers what it read last.
async fn wait_for_prefix(browser: &fantoccini::Client, at: Locator<'_>, prefix: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = text_of(browser, at).await;
        if seen.starts_with(prefix) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    seen
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(binary: &str) -> Option<String> {
    ["/usr/bin/", "/usr/local/bin/", "/usr/lib/chromium/"]
        .iter()
        .map(|dir| format!("{dir}{binary}"))
        .find(|p| std::path::Path::new(p).exists())
}

/// ChromeDriver and a headless Chromium session, or None (after saying so) when they are
/// not installed and the test may skip.
async fn start_browser(name: &str) -> Option<(Driver, fantoccini::Client)> {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert_ne!(
            std::env::var("WEFT_REQUIRE_BROWSER").as_deref(),
            Ok("1"),
            "WEFT_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed"
        );
        eprintln!(
            "SKIPPED: the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    // ChromeDriver on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = std::env::temp_dir().join(format!("weft-browser-{}-{name}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]}),
    );
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return Some((driver, c));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no WebDriver session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_by_oauth_in_a_browser_and_see_a_broken_connection() {
    let Some((_driver, browser)) = start_browser("oauth").await else {
        return;
    };
    // The simulator, and the hub with OAuth pointed at it.
    let (sim, base, store, _runtime) = common::oauth_hub("browser").await;

    // Sign in.
    browser.goto(&format!("{base}/connections")).await.unwrap();
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/login"),
        "sent to sign in first"
    );
    type_into(&browser, Locator::Id("username"), "admin").await;
    type_into(&browser, Locator::Id("password"), "admin-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, "/connections").await;

    // Connect by OAuth. Choosing "usage analytics" ticks the scopes it needs, and the form
    // says in words what they are and which Wrike plan and right it also needs.
    type_into(&browser, Locator::Id("oauth-name"), "acme-oauth").await;
    let audit_scope = Locator::Id("scope-amReadOnlyAuditLog");
    assert!(
        !browser
            .find(audit_scope)
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    click(
        &browser,
        Locator::Css("#oauth-form input[value=usage_analytics]"),
    )
    .await;
    assert!(
        browser
            .find(audit_scope)
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap(),
        "usage analytics ticks amReadOnlyAuditLog"
    );
    let form_text = browser
        .find(Locator::Id("oauth-form"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form_text.contains("Enterprise or Pinnacle")
            && form_text.contains("Create user activity reports"),
        "{form_text}"
    );
    assert!(
        form_text.contains("Read the audit log: sign-ins and changes"),
        "scopes in words"
    );
    click(&browser, Locator::Id("select-all")).await;
    click(&browser, Locator::Id("oauth-connect")).await;
    wait_for_path(&browser, "/oauth2/authorize/v4").await;
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&sim.base_url()),
        "on Wrike's consent page"
    );
    let scopes = browser
        .find(Locator::Id("scopes"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scopes.contains("Default")
            && scopes.contains("amReadOnlyAuditLog")
            && scopes.contains("dataExportFull"),
        "every scope requested: {scopes}"
    );
    let (account, integration) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        (
            a.id().to_owned(),
            a.integration_user().unwrap().id().to_owned(),
        )
    };
    click(
        &browser,
        Locator::Css(&format!("#user option[value='{account}|{integration}']")),
    )
    .await;
    click(&browser, Locator::Id("accept")).await;

    // Back on the hub, connected and healthy.
    wait_for_path(&browser, "/connections").await;
    let notice = browser
        .find(Locator::Id("notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(notice, "Connected acme-oauth");
    let health = browser
        .find(Locator::Css("tr[data-name='acme-oauth'] td.health"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(health, "healthy");

    // The dashboard: not synced yet; sync now, and it shows real numbers and charts.
    browser.goto(&format!("{base}/")).await.unwrap();
    click(
        &browser,
        Locator::Css("section[data-connection='acme-oauth'] form button"),
    )
    .await;
    let job_path = {
        let mut path = String::new();
        for _ in 0..100 {
            path = browser.current_url().await.unwrap().path().to_owned();
            if path.starts_with("/jobs/") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        path
    };
    assert!(
        job_path.starts_with("/jobs/"),
        "sent to the sync's job: {job_path}"
    );
    let mut status = String::new();
    for _ in 0..300 {
        browser.goto(&format!("{base}{job_path}")).await.unwrap();
        status = browser
            .find(Locator::Id("job-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if status.contains("succeeded") || status.contains("dead") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(status.contains("succeeded"), "the sync job: {status}");
    browser.goto(&format!("{base}/")).await.unwrap();
    let figure = |name: &'static str| {
        let browser = browser.clone();
        async move {
            browser
                .find(Locator::Css(&format!(
                    "section[data-connection='acme-oauth'] [data-figure='{name}']"
                )))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let hub = weft_hub::Hub::new(
        store.clone(),
        weft_core::secrets::SecretKey::from_hex(&weft_core::secrets::SecretKey::generate_hex())
            .unwrap(),
    );
    let mut request = weft_hub::usage::reports::ReportRequest::default();
    request.filter.idle_days = Some(90);
    let summary = weft_hub::usage::reports::summary(&hub, &request)
        .await
        .unwrap();
    let counts = &summary[0].counts;
    assert!(counts.paid_seats > 100 && counts.idle_n > 0, "{counts:?}");
    assert_eq!(figure("paid").await, counts.paid_seats.to_string());
    assert_eq!(figure("idle").await, counts.idle_n.to_string());
    assert_eq!(figure("never").await, counts.never_active.to_string());
    let limit = sim.sim.read().accounts[0].user_limit.to_string();
    assert_eq!(figure("limit").await, limit);
    let bars = browser
        .find_all(Locator::Css("#active-weekly rect.bar"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 26, "26 weeks of active users");
    // The last bar is this week so far, which on a Monday morning may hold nobody yet: the
    // week before it is whole.
    let last_whole = bars[bars.len() - 2]
        .attr("data-value")
        .await
        .unwrap()
        .unwrap();
    assert!(
        last_whole.parse::<f64>().unwrap() > 0.0,
        "people were active last week"
    );
    assert!(
        !browser
            .find_all(Locator::Css("svg[id^='seats-by-type-'] rect.bar"))
            .await
            .unwrap()
            .is_empty()
    );
    // What a seat costs, from the renewal form: the renewal plan and the dashboard price
    // the idle seats.
    click(
        &browser,
        Locator::Css("section[data-connection='acme-oauth'] a[href$='/costs']"),
    )
    .await;
    type_into(
        &browser,
        Locator::Css("#renewal input[name=seat_cost]"),
        "300",
    )
    .await;
    type_into(
        &browser,
        Locator::Css("#renewal input[name=renewal_date]"),
        "2027-03-31",
    )
    .await;
    click(&browser, Locator::Css("#renewal button")).await;
    let connection_id = summary[0].connection_id.clone();
    wait_for_path(&browser, &format!("/usage/renewal/{connection_id}")).await;
    assert_eq!(
        text_of(&browser, Locator::Id("plan-assigned")).await,
        counts.paid_seats.to_string()
    );
    assert_eq!(
        text_of(&browser, Locator::Id("plan-idle")).await,
        counts.idle_n.to_string()
    );
    assert_eq!(text_of(&browser, Locator::Id("plan-bought")).await, limit);
    assert_eq!(
        text_of(
            &browser,
            Locator::Css("tr[data-action='reclaim_idle'] td[data-col='saves']")
        )
        .await,
        weft_core::usage::money(counts.idle_n * 30_000, "USD")
    );
    assert!(
        text_of(&browser, Locator::Id("renewal-date"))
            .await
            .starts_with("2027-03-31 (in ")
    );
    let png = browser.screenshot().await.unwrap();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("renewal-plan.png");
    std::fs::write(&shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    browser.goto(&format!("{base}/")).await.unwrap();
    let savings = figure("savings").await;
    assert_eq!(
        savings,
        format!(
            "{} a year",
            weft_core::usage::money(counts.idle_n * 30_000, "USD")
        ),
        "the idle seats at USD 300"
    );
    browser.set_window_size(1280, 1500).await.unwrap();
    let png = browser.screenshot().await.unwrap();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    if std::env::var("WEFT_UPDATE_SCREENSHOT").as_deref() == Ok("1") {
        let docs =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/dashboard.png");
        std::fs::write(docs, &png).unwrap();
    }

    // People idle for 90 days, from the card's link: the count the card showed.
    click(
        &browser,
        Locator::Css("section[data-connection='acme-oauth'] a[data-figure='idle']"),
    )
    .await;
    wait_for_path(&browser, "/usage/users").await;
    let total = browser
        .find(Locator::Id("total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, counts.idle_n.to_string());
    // A dry run of deactivating them: the plan names its action and prices the people it
    // would change at USD 300 each.
    click(
        &browser,
        Locator::Css("#reclaim select[name=action] option[value=deactivate]"),
    )
    .await;
    click(&browser, Locator::Id("dry-run")).await;
    let headline = text_of(&browser, Locator::Id("plan-headline")).await;
    assert!(
        headline.starts_with("Deactivate in acme-oauth"),
        "{headline}"
    );
    let to_do: i64 = text_of(&browser, Locator::Id("plan-counts"))
        .await
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(to_do > 0 && to_do <= counts.idle_n);
    assert_eq!(
        text_of(&browser, Locator::Id("plan-saving")).await,
        format!("{} a year", weft_core::usage::money(to_do * 30_000, "USD"))
    );
    assert!(
        browser
            .find_all(Locator::Css("#plan-items tbody tr"))
            .await
            .unwrap()
            .len()
            <= 50,
        "the plan's people come a page at a time"
    );

    // The integration user's password changes in Wrike: a check shows the banner.
    browser.goto(&format!("{base}/connections")).await.unwrap();
    reqwest::Client::new()
        .post(format!(
            "{}/_sim/users/{integration}/password",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    click(
        &browser,
        Locator::Css("tr[data-name='acme-oauth'] form[action$='/check'] button"),
    )
    .await;
    let banner = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(".banner[data-connection='acme-oauth']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(banner.contains("token_rejected"), "{banner}");
    let png = browser.screenshot().await.unwrap();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("connections-broken.png");
    std::fs::write(&shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    browser.close().await.unwrap();
}

/// Replaces the editor's text (the textarea is cleared first).
async fn set_source(browser: &fantoccini::Client, text: &str) {
    let area = browser.find(Locator::Id("source")).await.unwrap();
    area.clear().await.unwrap();
    area.send_keys(text).await.unwrap();
}

/// The text of an element; tried again while a page is still loading (stale elements).
async fn text_of(browser: &fantoccini::Client, at: Locator<'_>) -> String {
    for _ in 0..50 {
        if let Ok(element) = browser.find(at).await
            && let Ok(text) = element.text().await
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no text at {at:?}");
}

const APPROVAL_RECIPE: &str = "name: ask-then-comment
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: approve
    action: approval
    input:
      message: \"Comment on {{ trigger.taskId }}?\"
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"Approved in the browser by {{ steps.approve.decided_by }}\"
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_start_approve_and_version_a_recipe_in_a_browser() {
    let Some((_driver, browser)) = start_browser("recipes").await else {
        return;
    };
    let (sim, base, _store, _runtime) = common::oauth_hub("browser_recipes").await;
    let http = reqwest::Client::new();
    add_connection(&http, &sim, &base, "acme-analytics", &[], &["write_work"]).await;

    browser.goto(&format!("{base}/recipes/new")).await.unwrap();
    type_into(&browser, Locator::Id("username"), "analyst").await;
    type_into(&browser, Locator::Id("password"), "analyst-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, "/recipes/new").await;

    // A mistake is named with its line, column and field, and nothing is saved.
    set_source(
        &browser,
        &APPROVAL_RECIPE.replace("action: approval", "action: aproval"),
    )
    .await;
    click(&browser, Locator::Id("check")).await;
    let problems = text_of(&browser, Locator::Id("problems")).await;
    assert!(
        problems.contains("new recipe:7:13: steps[0].action: unknown action \"aproval\""),
        "{problems}"
    );
    set_source(&browser, APPROVAL_RECIPE).await;
    click(&browser, Locator::Id("check")).await;
    assert_eq!(
        text_of(&browser, Locator::Id("notice")).await,
        "The file is valid."
    );
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/ask-then-comment").await;
    assert_eq!(
        text_of(&browser, Locator::Id("recipe-state")).await,
        "stopped"
    );
    click(&browser, Locator::Id("start")).await;
    wait_for_path(&browser, "/recipes/ask-then-comment").await;
    wait_for_text(&browser, Locator::Id("recipe-state"), "running").await;

    // Another system calls the endpoint the page shows, signed with its secret.
    let endpoint = text_of(&browser, Locator::Id("endpoint")).await;
    let url = endpoint
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(',')
        .to_owned();
    let secret = endpoint
        .split("using the secret ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let task = sim.sim.read().accounts[0]
        .tasks
        .iter()
        .find(|t| t.scope == wrike_api::models::TreeScope::WsTask)
        .unwrap()
        .id
        .clone();
    let body = json!({"taskId": task}).to_string();
    let called = http
        .post(&url)
        .headers(signed_call(&secret, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        called.status().as_u16(),
        202,
        "{}",
        called.text().await.unwrap()
    );

    // The run waits for approval; an Analyst sees it but cannot approve.
    browser
        .goto(&format!("{base}/runs?recipe=ask-then-comment"))
        .await
        .unwrap();
    let row = Locator::Css("#runs tr[data-status='waiting'] a");
    let mut waiting = None;
    for _ in 0..50 {
        if let Ok(link) = browser.find(row).await {
            waiting = Some(link);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.refresh().await.unwrap();
    }
    waiting.expect("a waiting run").click().await.unwrap();
    assert!(
        browser.find(Locator::Id("approve")).await.is_err(),
        "Analysts do not approve"
    );
    assert!(
        browser.find(Locator::Id("approvals-banner")).await.is_err(),
        "nor are they asked to"
    );
    let run_path = browser.current_url().await.unwrap().path().to_owned();

    // An Operator approves it.
    click(&browser, Locator::Css("form[action='/logout'] button")).await;
    // The sign-out's own navigation ends first, or it could land after the next one.
    wait_for_path(&browser, "/login").await;
    browser.goto(&format!("{base}{run_path}")).await.unwrap();
    type_into(&browser, Locator::Id("username"), "operator").await;
    type_into(&browser, Locator::Id("password"), "operator-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, &run_path).await;
    // Every page tells an Operator that a run waits for an approval.
    assert_eq!(
        text_of(&browser, Locator::Id("approvals-banner")).await,
        "1 run waits for an approval."
    );
    click(&browser, Locator::Id("approve")).await;
    let mut status = String::new();
    for _ in 0..50 {
        status = text_of(&browser, Locator::Id("run-status")).await;
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.refresh().await.unwrap();
    }
    assert_eq!(status, "succeeded");
    assert!(
        browser.find(Locator::Id("approvals-banner")).await.is_err(),
        "no approval waits any more"
    );
    let timeline = text_of(&browser, Locator::Id("timeline")).await;
    assert!(
        timeline.contains("approve") && timeline.contains("note"),
        "{timeline}"
    );
    let commented = sim.sim.read().accounts[0].comments.iter().any(|c| {
        c.task_id.as_deref() == Some(task.as_str())
            && c.text == "Approved in the browser by operator"
    });
    assert!(commented, "the comment is in Wrike");

    // An Admin edits the recipe; the versions show who changed what, and the diff.
    click(&browser, Locator::Css("form[action='/logout'] button")).await;
    wait_for_path(&browser, "/login").await;
    browser
        .goto(&format!("{base}/recipes/ask-then-comment/edit"))
        .await
        .unwrap();
    type_into(&browser, Locator::Id("username"), "admin").await;
    type_into(&browser, Locator::Id("password"), "admin-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    browser
        .goto(&format!("{base}/recipes/ask-then-comment/edit"))
        .await
        .unwrap();
    wait_for_path(&browser, "/recipes/ask-then-comment/edit").await;
    set_source(
        &browser,
        &APPROVAL_RECIPE.replace("Approved in the browser", "Approved"),
    )
    .await;
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/ask-then-comment").await;
    let versions = text_of(&browser, Locator::Id("versions")).await;
    assert!(
        versions.contains("admin") && versions.contains("analyst"),
        "{versions}"
    );
    click(&browser, Locator::Css("#versions tr[data-version='2'] a")).await;
    wait_for_path(&browser, "/recipes/ask-then-comment/diff").await;
    let added = text_of(&browser, Locator::Css("#diff .diff-added")).await;
    assert!(added.contains("Approved by"), "{added}");
    let png = browser.screenshot().await.unwrap();
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("recipe-diff.png"),
        png,
    )
    .unwrap();
    browser.close().await.unwrap();
}

const KNOWING_RECIPE: &str = "name: knowing
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
  - id: say
    action: map
    input:
      text: \"Task {{ steps.task.titel }}\"
  - id: only_urgent
    action: map
    when: \"{{ trigger.urgent }}\"
    input:
      note: urgent
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"{{ steps.say.text }}\"
";

/// The editor knows the data: the connection is picked from a list, a misspelt field of a
/// step is caught by Check, a sample event is tried (reads run, writes are shown and not
/// done); the recipe's page draws its flow; the list shows the last run and the success
/// rate; an earlier version is restored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_knows_the_data_and_the_page_draws_the_flow() {
    let Some((_driver, browser)) = start_browser("recipe-editor").await else {
        return;
    };
    let (sim, base, _store, _runtime) = common::oauth_hub("browser_recipe_editor").await;
    let http = reqwest::Client::new();
    for name in ["acme-analytics", "acme-reads"] {
        add_connection(&http, &sim, &base, name, &[], &["write_work"]).await;
    }
    // The schema the editor's files point at is served by the hub itself.
    let schema: serde_json::Value = http
        .get(format!("{base}/schemas/recipe.schema.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(schema["$schema"].is_string(), "{schema}");
    let (task, title) = {
        let world = sim.sim.read();
        let t = world.accounts[0]
            .tasks
            .iter()
            .find(|t| t.scope == wrike_api::models::TreeScope::WsTask)
            .unwrap();
        (t.id.clone(), t.title.clone())
    };
    let comments_before = sim.sim.read().accounts[0].comments.len();

    browser.goto(&format!("{base}/recipes/new")).await.unwrap();
    type_into(&browser, Locator::Id("username"), "analyst").await;
    type_into(&browser, Locator::Id("password"), "analyst-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, "/recipes/new").await;
    let new_file = browser
        .find(Locator::Id("source"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        new_file.contains(&format!("$schema={base}/schemas/recipe.schema.json")),
        "{new_file}"
    );

    // Picking the connection rewrites the file's connection line.
    set_source(&browser, KNOWING_RECIPE).await;
    browser
        .find(Locator::Id("connection-pick"))
        .await
        .unwrap()
        .select_by_value("acme-reads")
        .await
        .unwrap();
    let picked = browser
        .find(Locator::Id("source"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(picked.contains("connection: acme-reads"), "{picked}");

    // A misspelt field of the task is caught before anything runs.
    click(&browser, Locator::Id("check")).await;
    let problems = text_of(&browser, Locator::Id("problems")).await;
    assert!(
        problems.contains("steps.task has no field \"titel\" (did you mean title?)"),
        "{problems}"
    );
    let fixed = KNOWING_RECIPE.replace("titel", "title").replace(
        "connection: acme-analytics",
        "connection: acme-reads\nconcurrency: 2",
    );
    set_source(&browser, &fixed).await;

    // Tried with a sample event: the read ran, the comment is shown and not made.
    click(&browser, Locator::Css("#try-panel summary")).await;
    let event = browser.find(Locator::Id("event")).await.unwrap();
    event.clear().await.unwrap();
    event
        .send_keys(&json!({"taskId": task, "urgent": false}).to_string())
        .await
        .unwrap();
    click(&browser, Locator::Id("try")).await;
    let mut shown = false;
    for _ in 0..50 {
        if browser.find(Locator::Id("tried")).await.is_ok() {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown, "{}", text_of(&browser, Locator::Css("main")).await);
    let outcome = |step: &'static str| {
        let browser = browser.clone();
        async move {
            browser
                .find(Locator::Css(&format!("#tried tr[data-step='{step}']")))
                .await
                .unwrap()
                .attr("data-outcome")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(outcome("task").await, "ran");
    assert_eq!(outcome("only_urgent").await, "skipped");
    assert_eq!(outcome("note").await, "not_run");
    let tried = text_of(&browser, Locator::Id("tried")).await;
    assert!(tried.contains(&format!("Task {title}")), "{tried}");
    assert_eq!(
        sim.sim.read().accounts[0].comments.len(),
        comments_before,
        "a try changes nothing in Wrike"
    );

    // Saved, its page draws the flow: the trigger, four steps, the condition.
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/knowing").await;
    let flow = browser.find(Locator::Id("flow")).await.unwrap();
    let drawn = flow.html(false).await.unwrap();
    assert_eq!(drawn.matches("class=\"flow-step").count(), 4, "{drawn}");
    assert!(drawn.contains("flow-when") && drawn.contains("When: inbound HTTP call"));
    assert_eq!(
        text_of(&browser, Locator::Id("recipe-trigger")).await,
        "inbound HTTP call"
    );
    assert_eq!(
        text_of(&browser, Locator::Id("recipe-concurrency")).await,
        "at most 2 runs; more wait, queued"
    );
    assert!(drawn.contains("at most 2 runs at once"), "{drawn}");

    // A run by hand; the list then shows it and the success rate.
    click(&browser, Locator::Id("start")).await;
    wait_for_path(&browser, "/recipes/knowing").await;
    wait_for_text(&browser, Locator::Id("recipe-state"), "running").await;
    let started = http
        .post(format!("{base}/api/v1/recipes/knowing/runs"))
        .bearer_auth("wft_token-admin")
        .json(&json!({"event": {"taskId": task, "urgent": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.status().as_u16(),
        201,
        "{}",
        started.text().await.unwrap()
    );
    let mut last = String::new();
    for _ in 0..50 {
        browser.goto(&format!("{base}/recipes")).await.unwrap();
        last = text_of(
            &browser,
            Locator::Css("tr[data-recipe='knowing'] td.last-run"),
        )
        .await;
        if last.contains("succeeded") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(last.contains("succeeded"), "{last}");
    assert_eq!(
        text_of(
            &browser,
            Locator::Css("tr[data-recipe='knowing'] td.success-rate")
        )
        .await,
        "100% of 1"
    );

    // The limit at work: with Wrike slow, six runs started at once show on the runs page
    // as at most two running and the others queued, and all succeed.
    let slowed = http
        .post(format!("{}/_sim/faults", sim.base_url()))
        .json(&json!({"kind": "slow", "delayMs": 600, "pathPrefix": "/api/v4/tasks/", "count": 24}))
        .send()
        .await
        .unwrap();
    assert!(slowed.status().is_success());
    for n in 0..6 {
        let started = http
            .post(format!("{base}/api/v1/recipes/knowing/runs"))
            .bearer_auth("wft_token-admin")
            .json(&json!({"event": {"taskId": task, "urgent": false, "n": n}}))
            .send()
            .await
            .unwrap();
        assert_eq!(started.status().as_u16(), 201);
    }
    let (mut most_running, mut saw_queued, mut succeeded) = (0, false, 0);
    for _ in 0..200 {
        browser
            .goto(&format!("{base}/runs?recipe=knowing"))
            .await
            .unwrap();
        let count = |status: &'static str| {
            let browser = browser.clone();
            async move {
                browser
                    .find_all(Locator::Css(&format!("#runs tr[data-status='{status}']")))
                    .await
                    .map_or(0, |rows| rows.len())
            }
        };
        let (running, queued) = (count("running").await, count("queued").await);
        succeeded = count("succeeded").await;
        most_running = most_running.max(running);
        saw_queued |= queued > 0 && running > 0;
        if succeeded == 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(succeeded, 7, "every run ended succeeded");
    assert!(most_running <= 2, "{most_running} ran at once");
    assert!(saw_queued, "runs past the limit waited, queued");

    // A second version, then the first restored as the third.
    browser
        .goto(&format!("{base}/recipes/knowing/edit"))
        .await
        .unwrap();
    set_source(
        &browser,
        &fixed.replace("note: urgent", "note: very urgent"),
    )
    .await;
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/knowing").await;
    click(
        &browser,
        Locator::Css("#versions tr[data-version='1'] button.restore"),
    )
    .await;
    wait_for_path(&browser, "/recipes/knowing").await;
    assert!(
        text_of(&browser, Locator::Id("recipe-version"))
            .await
            .starts_with("3,"),
    );
    let source = text_of(&browser, Locator::Id("source")).await;
    assert!(
        source.contains("note: urgent") && !source.contains("very urgent"),
        "{source}"
    );
    browser.close().await.unwrap();
}

/// Two of the example recipes, pasted into the editor as they are in `examples/recipes`:
/// one started and fired by a change in the simulated Wrike (its control API), its run and
/// its comment seen; the scheduled one run by hand with "Run now".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_recipes_run_from_the_browser() {
    let Some((_driver, browser)) = start_browser("recipe-examples").await else {
        return;
    };
    let (sim, base, _store, _runtime) = common::oauth_hub("browser_recipe_examples").await;
    let http = reqwest::Client::new();
    let account = sim.sim.read().accounts[0].id().to_owned();
    add_connection(
        &http,
        &sim,
        &base,
        "acme-analytics",
        &["Default", "amReadWriteUser", "amReadOnlyAuditLog"],
        &["write_work", "webhooks", "usage_analytics", "reclaim"],
    )
    .await;
    let example = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/../../examples/recipes/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };

    browser.goto(&format!("{base}/recipes/new")).await.unwrap();
    type_into(&browser, Locator::Id("username"), "admin").await;
    type_into(&browser, Locator::Id("password"), "admin-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, "/recipes/new").await;
    set_source(&browser, &example("comment-on-status-change")).await;
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/comment-on-status-change").await;
    click(&browser, Locator::Id("start")).await;
    wait_for_path(&browser, "/recipes/comment-on-status-change").await;
    wait_for_text(&browser, Locator::Id("recipe-state"), "running").await;

    // Someone completes a task in Wrike.
    let task = sim.sim.read().accounts[0]
        .tasks
        .iter()
        .find(|t| {
            t.scope == wrike_api::models::TreeScope::WsTask
                && t.status == wrike_api::models::TaskStatus::Active
        })
        .unwrap()
        .id
        .clone();
    let changed = http
        .post(format!(
            "{}/_sim/accounts/{account}/task_changes",
            sim.base_url()
        ))
        .json(&json!({"action": "update", "taskId": task, "params": {"status": "Completed"}}))
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success());
    browser
        .goto(&format!("{base}/runs?recipe=comment-on-status-change"))
        .await
        .unwrap();
    let row = Locator::Css("#runs tr[data-status='succeeded'] a");
    let mut done = None;
    for _ in 0..50 {
        if let Ok(link) = browser.find(row).await {
            done = Some(link);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.refresh().await.unwrap();
    }
    done.expect("a succeeded run").click().await.unwrap();
    let timeline = text_of(&browser, Locator::Id("timeline")).await;
    assert!(
        timeline.contains("comment attempt 1: succeeded"),
        "{timeline}"
    );
    assert!(
        sim.sim.read().accounts[0].comments.iter().any(|c| {
            c.task_id.as_deref() == Some(task.as_str())
                && c.text == "Status changed from Active to Completed."
        }),
        "the comment is in Wrike"
    );

    // The weekly review, run now rather than on Monday, once it is started (a stopped
    // recipe offers no "Run now").
    browser.goto(&format!("{base}/recipes/new")).await.unwrap();
    set_source(&browser, &example("weekly-idle-review")).await;
    click(&browser, Locator::Id("save")).await;
    wait_for_path(&browser, "/recipes/weekly-idle-review").await;
    assert!(browser.find(Locator::Id("run-now")).await.is_err());
    click(&browser, Locator::Id("start")).await;
    browser
        .wait()
        .for_element(Locator::Id("run-now"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut status = String::new();
    for _ in 0..50 {
        if browser
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/runs/")
        {
            status = text_of(&browser, Locator::Id("run-status")).await;
            if status == "succeeded" || status == "waiting" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        browser.refresh().await.unwrap();
    }
    assert!(
        status == "succeeded" || status == "waiting",
        "the run by hand settles: {status}"
    );
    let timeline = text_of(&browser, Locator::Id("timeline")).await;
    assert!(timeline.contains("idle"), "{timeline}");
    if status == "waiting" {
        // The approval asks its question near the top, beside its buttons, with the people
        // in a readable table a page at a time, not as raw JSON.
        let question = text_of(&browser, Locator::Id("approval-question")).await;
        assert!(question.contains("paid seats have been idle"), "{question}");
        let rows = browser
            .find_all(Locator::Css("#approval-people tbody tr"))
            .await
            .unwrap();
        assert!(!rows.is_empty() && rows.len() <= 25, "{} rows", rows.len());
        let approve = browser.find(Locator::Id("approve")).await.unwrap();
        let (_, y, _, _) = approve.rectangle().await.unwrap();
        assert!(y < 900.0, "Approve is at {y}px, not below a page of JSON");
        let png = browser.screenshot().await.unwrap();
        let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("approval.png");
        std::fs::write(&shot, png).unwrap();
        eprintln!("screenshot: {}", shot.display());
    }
    browser.close().await.unwrap();
}

/// The Standard Webhooks headers of one call to an `http` trigger.
fn signed_call(secret: &str, body: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    let id = format!("call-{}", fastrand::u64(..));
    let now = chrono::Utc::now().timestamp();
    for (name, value) in
        weft_hub::recipes::inbound::signed_headers(secret, &id, now, body.as_bytes())
    {
        headers.insert(name, value.parse().unwrap());
    }
    headers
}

/// A license policy walked in the browser: written in the editor and applied, its page with
/// the seats it flags, its dialogue started (silent: the Admin decides) and seen on the
/// board, its reclaims planned and confirmed from the page, and the savings ledger showing
/// what they realized, person by person, in its chart and table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_from_its_page_to_the_board_and_the_ledger() {
    let Some((_driver, browser)) = start_browser("policy-walk").await else {
        return;
    };
    let (sim, base, _store, _runtime) = common::oauth_hub("browser_policy_walk").await;
    let http = reqwest::Client::new();
    let connection = add_connection(
        &http,
        &sim,
        &base,
        "acme",
        &["Default", "amReadWriteUser", "amReadOnlyAuditLog"],
        &["usage_analytics", "reclaim"],
    )
    .await;
    let costs = http
        .put(format!(
            "{base}/api/v1/usage/connections/{connection}/renewal"
        ))
        .bearer_auth("wft_token-admin")
        .json(&json!({"seatCost": "300", "currency": "USD"}))
        .send()
        .await
        .unwrap();
    assert!(
        costs.status().is_success(),
        "{}",
        costs.text().await.unwrap()
    );
    // A sync, asked for (the scheduled one may be running already and covers it), until
    // the people and the audit log have synced.
    let sync = http
        .post(format!("{base}/api/v1/usage/connections/{connection}/sync"))
        .bearer_auth("wft_token-admin")
        .send()
        .await
        .unwrap();
    assert!(sync.status().is_success());
    let synced = |sources: &serde_json::Value, name: &str| {
        sources.as_array().is_some_and(|all| {
            all.iter()
                .any(|s| s["source"] == name && s["lastSuccessAt"].is_string())
        })
    };
    let mut freshness = serde_json::Value::Null;
    for _ in 0..600 {
        freshness = http
            .get(format!(
                "{base}/api/v1/usage/connections/{connection}/freshness"
            ))
            .bearer_auth("wft_token-admin")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if synced(&freshness["sources"], "users") && synced(&freshness["sources"], "audit_log") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        synced(&freshness["sources"], "audit_log"),
        "the sync: {freshness}"
    );

    // Written in the editor, checked, applied: its page says whom it flags.
    browser
        .goto(&format!("{base}/usage/policies/new"))
        .await
        .unwrap();
    type_into(&browser, Locator::Id("username"), "admin").await;
    type_into(&browser, Locator::Id("password"), "admin-password").await;
    click(&browser, Locator::Id("sign-in")).await;
    wait_for_path(&browser, "/usage/policies/new").await;
    let area = browser.find(Locator::Id("policy-source")).await.unwrap();
    area.clear().await.unwrap();
    area.send_keys(
        "name: idle-seats\nconnection: acme\nidle_days: 30\naction: deactivate\ndecide: silent\n",
    )
    .await
    .unwrap();
    click(&browser, Locator::Id("apply")).await;
    wait_for_path(&browser, "/usage/policies/idle-seats").await;
    let flagged: usize = text_of(&browser, Locator::Id("tally-flagged"))
        .await
        .parse()
        .unwrap();
    assert!(flagged > 0, "the generated account has idle seats");
    assert_eq!(
        browser
            .find_all(Locator::Css("#judged tr[data-verdict='flagged']"))
            .await
            .unwrap()
            .len(),
        flagged
    );

    // Its dialogue, started from the page, puts every flagged person on the board.
    click(&browser, Locator::Id("start-dialogue")).await;
    wait_for_path(&browser, "/usage/policies/idle-seats").await;
    let state = wait_for_prefix(&browser, Locator::Id("dialogue-state"), "running").await;
    assert!(state.starts_with("running, started by admin"), "{state}");
    let mut on_board = 0;
    for _ in 0..100 {
        click(&browser, Locator::Id("board-link")).await;
        wait_for_path(&browser, "/usage/dialogues").await;
        on_board = browser
            .find_all(Locator::Css("#dialogues tr[data-dialogue]"))
            .await
            .unwrap()
            .len();
        if on_board == flagged {
            break;
        }
        browser.back().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(on_board, flagged, "everyone flagged is in the dialogue");
    let board = text_of(&browser, Locator::Id("dialogues")).await;
    assert!(
        board.contains("idle-seats") && board.contains("silent"),
        "{board}"
    );

    // Stopped, then reclaimed from the policy's page: the plan, confirmed, changes Wrike.
    browser
        .goto(&format!("{base}/usage/policies/idle-seats"))
        .await
        .unwrap();
    click(&browser, Locator::Id("stop-dialogue")).await;
    let state = wait_for_prefix(&browser, Locator::Id("dialogue-state"), "not running").await;
    assert!(state.starts_with("not running"), "{state}");
    click(&browser, Locator::Id("plan-reclaims")).await;
    for _ in 0..100 {
        if browser
            .current_url()
            .await
            .is_ok_and(|u| u.path().starts_with("/usage/reclaims/"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(&browser, Locator::Id("confirm-reclaim")).await;
    let mut plan_status = String::new();
    for _ in 0..300 {
        plan_status = text_of(&browser, Locator::Id("plan-status")).await;
        if plan_status.contains("applied") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        browser.refresh().await.unwrap();
    }
    assert!(plan_status.contains("applied"), "{plan_status}");

    // The ledger: each person the plan changed, realized at the seat's cost.
    browser
        .goto(&format!("{base}/usage/savings?connection={connection}"))
        .await
        .unwrap();
    let entries = browser
        .find_all(Locator::Css("#savings-entries tbody tr"))
        .await
        .unwrap()
        .len();
    assert_eq!(entries, flagged, "one entry per person changed");
    let realized = text_of(&browser, Locator::Id("savings-realized")).await;
    let expected = weft_core::usage::money(30_000 * flagged as i64, "USD");
    assert!(realized.contains(&expected), "{realized} / {expected}");
    let chart = browser
        .find(Locator::Id("savings-months"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(
        chart.contains("<svg") || chart.contains("<table"),
        "{chart}"
    );
    browser.close().await.unwrap();
}

/// Single sign-on in the browser: from a page that needs a session to the sign-in page, its
/// "single sign-on" button, the identity provider's own form (oidc-provider's), and back on
/// the page first asked for as the user the provider's groups make an Admin; the team page
/// then lists them as signing in through single sign-on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_through_the_identity_provider_in_a_browser() {
    let Some((_driver, browser)) = start_browser("sso").await else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let Some(provider) = provider::Provider::start(&format!("{base}/sso/callback")) else {
        return;
    };
    let mut hub = common::hub("browser-sso", None, None).await;
    hub.sso = Some(std::sync::Arc::new(
        weft_hub::sso::Sso::new(weft_hub::sso::SsoSettings {
            issuer: provider.issuer.clone(),
            client_id: "weft".into(),
            client_secret: secrecy::SecretString::from(provider::CLIENT_SECRET),
            redirect_url: format!("{base}/sso/callback"),
            role_claim: "groups".into(),
            roles: vec![
                (weft_core::roles::Role::Admin, vec!["weft-admins".into()]),
                (
                    weft_core::roles::Role::Analyst,
                    vec!["weft-analysts".into()],
                ),
            ],
            create_users: true,
        })
        .unwrap(),
    ));
    let _served = common::start_on(listener, hub, Duration::from_secs(3600)).await;

    browser.goto(&format!("{base}/team")).await.unwrap();
    wait_for_path(&browser, "/login").await;
    click(&browser, Locator::Id("sso")).await;
    // The provider's own sign-in form (any password).
    let login = Locator::Css("input[name=login]");
    for _ in 0..100 {
        if browser.find(login).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&provider.issuer),
        "at the identity provider"
    );
    type_into(&browser, login, "alice").await;
    type_into(&browser, Locator::Css("input[name=password]"), "any").await;
    click(&browser, Locator::Css("button[type=submit]")).await;
    wait_for_path(&browser, "/team").await;
    let row = Locator::Css("#users tr[data-user=alice] td.sign-in");
    wait_for_text(&browser, row, "single sign-on").await;
    assert_eq!(
        browser
            .find(Locator::Css(
                "#users tr[data-user=alice] select option[selected]"
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "admin",
        "the provider's group made her an Admin"
    );
    browser.close().await.unwrap();
}
