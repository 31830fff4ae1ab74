//! The token goes only to the connection's API base: hostile raw paths (the kinds a recipe
//! author could write into a raw call) are refused, and a listener standing where they point
//! never sees a connection, let alone the token. The table is meant to grow.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use tokio::io::AsyncReadExt;
use wrike_api::{FileUpload, WrikeError};

/// A listener that counts the connections it accepts and keeps what they sent.
struct Trap {
    port: u16,
    connections: Arc<AtomicUsize>,
    seen: Arc<std::sync::Mutex<Vec<u8>>>,
}

async fn trap() -> Trap {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (count, keep) = (connections.clone(), seen.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                if let Ok(n) = socket.read(&mut buf).await {
                    keep.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
    });
    Trap {
        port,
        connections,
        seen,
    }
}

/// Paths a raw call might be given, `{port}` standing for the trap's port. Each must be
/// refused by the client before anything is sent.
const HOSTILE: &[&str] = &[
    r"\\127.0.0.1:{port}/x",
    r"\/127.0.0.1:{port}/x",
    r"/\127.0.0.1:{port}/x",
    r"http:\\127.0.0.1:{port}/x",
    r"HTTP:\\127.0.0.1:{port}/x",
    r"hTtP:/\127.0.0.1:{port}/x",
    "http://127.0.0.1:{port}/x",
    "HTTP://127.0.0.1:{port}/x",
    "//127.0.0.1:{port}/x",
    "///127.0.0.1:{port}/x",
    "/%2e%2e/%2e%2e/x",
    "/%2E%2E/%2e%2E/127.0.0.1:{port}/x",
    "%2e%2e%2f%2e%2e%2fx",
    "%5c%5c127.0.0.1:{port}/x",
    "/%5C%5C127.0.0.1:{port}/x",
    "../../x",
    "tasks/../../../x",
    "./.././x",
    "\t//127.0.0.1:{port}/x",
    "/\t/127.0.0.1:{port}/x",
    "tasks\n\nGET http://127.0.0.1:{port}/x",
    "@127.0.0.1:{port}/x",
    "x@127.0.0.1:{port}",
    ":@127.0.0.1:{port}/x",
    "tasks;@127.0.0.1:{port}",
    ";//127.0.0.1:{port}/x",
    "\u{ff0e}\u{ff0e}/\u{ff0e}\u{ff0e}/x",
    "\u{3002}\u{3002}/x",
    "\u{2024}\u{2024}/x",
    "tasks\u{ff3c}\u{ff3c}127.0.0.1:{port}",
    "?x=http://127.0.0.1:{port}",
    "#//127.0.0.1:{port}",
];

#[tokio::test]
async fn hostile_raw_paths_never_reach_another_host() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let trap = trap().await;
    let file = FileUpload {
        name: "a.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"hello".to_vec(),
    };
    let last_seen: serde_json::Value = common::http()
        .get(format!("{}/_sim/requests?limit=1", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let before = last_seen["last"].as_u64().unwrap();
    for template in HOSTILE {
        let path = template.replace("{port}", &trap.port.to_string());
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            let err = client
                .call_json(method.clone(), &path, Vec::new())
                .await
                .expect_err(&path);
            assert!(
                matches!(&err, WrikeError::Invalid(m) if m.contains("API path")),
                "{method} {path:?} was not refused as a path: {err}"
            );
        }
        assert!(client.download(&path).await.is_err(), "{path:?}");
        assert!(client.upload(&path, &file).await.is_err(), "{path:?}");
    }
    // Let any stray connection land before counting.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        trap.connections.load(Ordering::SeqCst),
        0,
        "the trap was reached; it saw {:?}",
        String::from_utf8_lossy(&trap.seen.lock().unwrap())
    );
    // Refused before sending: not even the simulator saw them.
    let after = common::logged(&sim, before).await;
    assert!(after.is_empty(), "{after:?}");
    // The same client still works on its own base.
    client
        .call_json(Method::GET, "/account", Vec::new())
        .await
        .unwrap();
}
