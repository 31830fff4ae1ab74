//! The web UI in a real headless Chromium: sign in, connect a Wrike account by OAuth through
//! the simulator's consent page, see it healthy, break it, see the banner. Skips with a loud
//! message when Chromium or ChromeDriver is missing, unless WEFT_REQUIRE_BROWSER=1.

mod common;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_by_oauth_in_a_browser_and_see_a_broken_connection() {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert_ne!(
            std::env::var("WEFT_REQUIRE_BROWSER").as_deref(),
            Ok("1"),
            "WEFT_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed"
        );
        eprintln!(
            "SKIPPED: the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return;
    };
    // The simulator, and the hub with OAuth pointed at it.
    let (sim, base, _store) = common::oauth_hub("browser").await;

    // ChromeDriver on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = std::env::temp_dir().join(format!("weft-browser-{}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]}),
    );
    let mut client = None;
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let browser = client.expect("a WebDriver session");

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

    // Connect by OAuth: name, select all scopes, one feature, then Wrike's consent page.
    type_into(&browser, Locator::Id("oauth-name"), "acme-oauth").await;
    click(&browser, Locator::Id("select-all")).await;
    click(
        &browser,
        Locator::Css("#oauth-form input[value=usage_analytics]"),
    )
    .await;
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

    // The integration user's password changes in Wrike: a check shows the banner.
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
